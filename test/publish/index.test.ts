import test from 'ava';
import nock from 'nock';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBoxwrightError } from '../../lib/errors.js';
import { findBoxes, parseBoxFileName, publishBox, publishBoxes } from '../../lib/publish/index.js';
import { FakeRegistry, TOKEN } from './fake-registry.js';
import { fakeBox, tempDir } from './helpers.js';

test.before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
test.after.always(() => nock.cleanAll());

async function out(t: { teardown: (fn: () => Promise<void>) => void }) {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  await mkdir(join(dir, 'out'));
  return dir;
}

test('box file names as builds write them are parsed', (t) => {
  t.deepEqual(parseBoxFileName('out/foobar-web-1.2.3.libvirt.box'), { name: 'foobar-web', version: '1.2.3', provider: 'libvirt' });
  t.deepEqual(parseBoxFileName('a-b-c-2.0.0-rc.1.virtualbox.box'), { name: 'a-b-c', version: '2.0.0-rc.1', provider: 'virtualbox' });
  t.is(parseBoxFileName('random.box'), undefined);
  t.is(parseBoxFileName('x-1.2.3.vmware.box'), undefined);
});

test('findBoxes lists the boxes of an out folder, or returns the file given', async (t) => {
  const dir = await out(t);
  await fakeBox(join(dir, 'out'), { provider: 'virtualbox' });
  await fakeBox(join(dir, 'out'), { provider: 'libvirt' });
  await writeFile(join(dir, 'out', 'build-manifest.json'), '{}');
  t.deepEqual(await findBoxes(join(dir, 'out')), [join(dir, 'out', 'foobar-web-1.0.0.libvirt.box'), join(dir, 'out', 'foobar-web-1.0.0.virtualbox.box')]);
  t.deepEqual(await findBoxes(join(dir, 'out', 'foobar-web-1.0.0.libvirt.box')), [join(dir, 'out', 'foobar-web-1.0.0.libvirt.box')]);
  const empty = await t.throwsAsync(findBoxes(dir));
  t.true(isBoxwrightError(empty, 'E_USAGE'));
  const missing = await t.throwsAsync(findBoxes(join(dir, 'nope')));
  t.true(isBoxwrightError(missing, 'E_USAGE'));
});

test('publishBox to a catalog takes name, version and provider from the file name', async (t) => {
  const dir = await out(t);
  const box = await fakeBox(join(dir, 'out'), { version: '1.4.0' });
  const r = await publishBox({ box: box.path, target: { kind: 'catalog', dir: join(dir, 'cat'), baseUrl: 'http://127.0.0.1:8080/boxes/' } });
  t.deepEqual(r, {
    target: 'catalog', version: '1.4.0', provider: 'libvirt', architecture: 'amd64', url: `http://127.0.0.1:8080/boxes/1.4.0/libvirt-amd64-${box.sha256.slice(0, 16)}.box`,
    catalogUrl: 'http://127.0.0.1:8080/boxes/metadata.json', checksum: box.sha256, noop: false,
  });
  const meta = JSON.parse(await readFile(join(dir, 'cat', 'metadata.json'), 'utf8'));
  t.is(meta.name, 'foobar-web');
  const again = await publishBox({ box: box.path, target: { kind: 'catalog', dir: join(dir, 'cat'), baseUrl: 'http://127.0.0.1:8080/boxes/' } });
  t.true(again.noop);
});

test('publishBox bump wins over the file-name version', async (t) => {
  const dir = await out(t);
  const box = await fakeBox(join(dir, 'out'), { version: '1.4.0' });
  const target = { kind: 'catalog' as const, dir: join(dir, 'cat'), baseUrl: 'http://127.0.0.1/' };
  await publishBox({ box: box.path, target, name: 'acme/web' });
  const r = await publishBox({ box: box.path, target, name: 'acme/web', bump: 'major' });
  t.is(r.version, '2.0.0');
});

test('publishBox needs a provider when the file name does not tell it', async (t) => {
  const dir = await out(t);
  const path = join(dir, 'out', 'custom.box');
  await rename((await fakeBox(join(dir, 'out'), { provider: 'virtualbox', sidecar: false })).path, path);
  const error = await t.throwsAsync(publishBox({ box: path, version: '1.0.0', name: 'n', target: { kind: 'catalog', dir: join(dir, 'cat'), baseUrl: 'http://127.0.0.1/' } }));
  t.true(isBoxwrightError(error, 'E_USAGE'));
  t.is((error as { path?: string }).path, 'provider');
  const ok = await publishBox({ box: path, version: '1.0.0', name: 'n', provider: 'virtualbox', target: { kind: 'catalog', dir: join(dir, 'cat'), baseUrl: 'http://127.0.0.1/' } });
  t.is(ok.provider, 'virtualbox');
});

test('publishBox verifies the checksum before writing to a catalog', async (t) => {
  const dir = await out(t);
  const box = await fakeBox(join(dir, 'out'));
  const error = await t.throwsAsync(publishBox({ box: box.path, checksum: '0'.repeat(64), target: { kind: 'catalog', dir: join(dir, 'cat'), baseUrl: 'http://127.0.0.1/' } }));
  t.true(isBoxwrightError(error, 'E_CHECKSUM'));
});

test.serial('publishBox to vagrant-cloud runs the registry flow', async (t) => {
  const dir = await out(t);
  const box = await fakeBox(join(dir, 'out'), { version: '3.1.0' });
  const reg = new FakeRegistry().install();
  const r = await publishBox({ box: box.path, target: { kind: 'vagrant-cloud', box: 'acme/web', apiUrl: reg.api, token: TOKEN, retryDelayMs: 1 } });
  t.like(r, { target: 'vagrant-cloud', version: '3.1.0', provider: 'libvirt', checksum: box.sha256, noop: false });
  t.is(reg.version('3.1.0')!.status, 'active');
});

test('publishBoxes publishes every provider of an out folder under one bumped version', async (t) => {
  const dir = await out(t);
  await fakeBox(join(dir, 'out'), { version: '1.0.0', provider: 'libvirt' });
  await fakeBox(join(dir, 'out'), { version: '1.0.0', provider: 'virtualbox' });
  const target = { kind: 'catalog' as const, dir: join(dir, 'cat'), baseUrl: 'http://127.0.0.1/' };
  await publishBoxes(join(dir, 'out'), { target });
  const results = await publishBoxes(join(dir, 'out'), { target, bump: 'patch' });
  t.deepEqual(results.map((r) => `${r.provider}@${r.version}`), ['libvirt@1.0.1', 'virtualbox@1.0.1']);
  const meta = JSON.parse(await readFile(join(dir, 'cat', 'metadata.json'), 'utf8'));
  t.deepEqual(meta.versions.map((v: { version: string; providers: unknown[] }) => `${v.version}:${v.providers.length}`), ['1.0.0:2', '1.0.1:2']);
  const again = await publishBoxes(join(dir, 'out'), { target, version: '1.0.1' });
  t.true(again.every((r) => r.noop));
});
