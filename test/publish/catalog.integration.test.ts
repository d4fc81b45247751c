import test from 'ava';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBoxwrightError } from '../../lib/errors.js';
import { publishToCatalog, readCatalog, type CatalogMetadata } from '../../lib/publish/catalog.js';
import type { PublishEvent } from '../../lib/publish/events.js';
import { boxContent, fakeBox, tempDir } from './helpers.js';
import { catalogBoxPath } from '../../lib/publish/catalog-metadata.js';

const BASE = 'https://boxes.example.com/foobar-web';

async function setup(t: { teardown: (fn: () => Promise<void>) => void }) {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  return { src: join(dir, 'out'), catalog: join(dir, 'catalog'), root: dir };
}

async function mkdirp(path: string) {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path, { recursive: true });
}

async function metadata(catalog: string): Promise<CatalogMetadata> {
  return JSON.parse(await readFile(join(catalog, 'metadata.json'), 'utf8')) as CatalogMetadata;
}

test('a new catalog gets metadata.json in the vagrant box add format and the box copied', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const box = await fakeBox(src);
  const r = await publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', description: 'Web box', provider: 'libvirt', version: '1.0.0' });
  t.false(r.noop);
  t.is(r.url, `https://boxes.example.com/foobar-web/1.0.0/libvirt-amd64-${box.sha256.slice(0, 16)}.box`);
  t.is(r.catalogUrl, 'https://boxes.example.com/foobar-web/metadata.json');
  t.deepEqual(await metadata(catalog), {
    name: 'foobar/web',
    description: 'Web box',
    versions: [
      {
        version: '1.0.0',
        providers: [{ name: 'libvirt', url: r.url, checksum_type: 'sha256', checksum: box.sha256, architecture: 'amd64', default_architecture: true }],
      },
    ],
  });
  t.is(await boxContent(join(catalog, ...catalogBoxPath('1.0.0', 'libvirt', 'amd64', box.sha256).split('/'))), 'box 1.0.0 libvirt\n');
});

test('a second version keeps the first and versions stay sorted by semver', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  for (const version of ['1.10.0', '1.2.0', '1.9.0']) {
    const box = await fakeBox(src, { version });
    await publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version, force: true });
  }
  const meta = await metadata(catalog);
  t.deepEqual(meta.versions.map((v) => v.version), ['1.2.0', '1.9.0', '1.10.0']);
  for (const v of meta.versions) await t.notThrowsAsync(access(join(catalog, new URL(v.providers[0]!.url).pathname.replace('/foobar-web/', ''))));
});

test('a bump starts from the latest version of the catalog', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const a = await fakeBox(src, { version: '1.0.0' });
  await publishToCatalog({ box: a.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.4.2' });
  const b = await fakeBox(src, { version: '1.0.1' });
  const r = await publishToCatalog({ box: b.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', bump: 'minor' });
  t.is(r.version, '1.5.0');
});

test('a second provider joins an existing version', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const lv = await fakeBox(src, { provider: 'libvirt' });
  const vb = await fakeBox(src, { provider: 'virtualbox' });
  await publishToCatalog({ box: vb.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'virtualbox', version: '1.0.0' });
  await publishToCatalog({ box: lv.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' });
  const meta = await metadata(catalog);
  t.deepEqual(meta.versions[0]!.providers.map((p) => p.name), ['libvirt', 'virtualbox']);
});

test('publishing the same version and provider with the same checksum is a reported no-op', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const box = await fakeBox(src);
  const opts = { box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' };
  await publishToCatalog(opts);
  const before = await readFile(join(catalog, 'metadata.json'), 'utf8');
  const events: PublishEvent[] = [];
  const r = await publishToCatalog({ ...opts, onEvent: (e) => events.push(e) });
  t.true(r.noop);
  t.true(events.some((e) => e.type === 'step' && e.action === 'noop'));
  t.is(await readFile(join(catalog, 'metadata.json'), 'utf8'), before);
});

test('a different checksum for a published version and provider is refused', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const a = await fakeBox(src, { content: 'first' });
  await publishToCatalog({ box: a.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' });
  const before = await readFile(join(catalog, 'metadata.json'), 'utf8');
  const b = await fakeBox(src, { content: 'second' });
  const error = await t.throwsAsync(publishToCatalog({ box: b.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
  t.true(isBoxwrightError(error, 'E_PUBLISH_CONFLICT'));
  t.regex(error!.message, /--bump.*--force/);
  t.is(await readFile(join(catalog, 'metadata.json'), 'utf8'), before);
  t.is(await boxContent(join(catalog, ...catalogBoxPath('1.0.0', 'libvirt', 'amd64', a.sha256).split('/'))), 'first');
  t.deepEqual(await readdir(join(catalog, '1.0.0')), [`libvirt-amd64-${a.sha256.slice(0, 16)}.box`], 'the refused box left no file');
});

test('force replaces a published box with another checksum', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const a = await fakeBox(src, { content: 'first' });
  await publishToCatalog({ box: a.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' });
  const b = await fakeBox(src, { content: 'second' });
  const r = await publishToCatalog({ box: b.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0', force: true });
  t.false(r.noop);
  t.is((await metadata(catalog)).versions[0]!.providers[0]!.checksum, b.sha256);
  t.is(await boxContent(join(catalog, ...catalogBoxPath('1.0.0', 'libvirt', 'amd64', b.sha256).split('/'))), 'second');
});

test('a failure while writing metadata leaves the old metadata intact and no temp file', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const a = await fakeBox(src, { version: '1.0.0' });
  await publishToCatalog({ box: a.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' });
  const before = await readFile(join(catalog, 'metadata.json'), 'utf8');
  const b = await fakeBox(src, { version: '1.1.0' });
  const error = await t.throwsAsync(
    publishToCatalog({
      box: b.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.1.0',
      hooks: { beforeMetadataRename: () => { throw new Error('disk full (simulated)'); } },
    }),
  );
  t.is(error!.message, 'disk full (simulated)');
  t.is(await readFile(join(catalog, 'metadata.json'), 'utf8'), before);
  t.deepEqual((await readdir(catalog)).filter((f) => f.startsWith('.')), []);
  // running again completes it
  const r = await publishToCatalog({ box: b.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.1.0' });
  t.false(r.noop);
  t.deepEqual((await metadata(catalog)).versions.map((v) => v.version), ['1.0.0', '1.1.0']);
});

test('a failure while copying the box leaves no box, no temp file and the old metadata', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const a = await fakeBox(src, { version: '1.0.0' });
  await publishToCatalog({ box: a.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' });
  const before = await readFile(join(catalog, 'metadata.json'), 'utf8');
  const b = await fakeBox(src, { version: '1.1.0' });
  await t.throwsAsync(
    publishToCatalog({
      box: b.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.1.0',
      hooks: { beforeBoxRename: () => { throw new Error('killed (simulated)'); } },
    }),
  );
  t.is(await readFile(join(catalog, 'metadata.json'), 'utf8'), before);
  t.deepEqual(await readdir(join(catalog, '1.1.0')), []);
});

test('a bad checksum is refused before anything is written', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const box = await fakeBox(src, { sidecar: false });
  await writeFile(`${box.path}.sha256`, `${'0'.repeat(64)}  foobar-web-1.0.0.libvirt.box\n`);
  const error = await t.throwsAsync(publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
  t.true(isBoxwrightError(error, 'E_CHECKSUM'));
  await t.throwsAsync(access(catalog));
  const explicit = await t.throwsAsync(publishToCatalog({ box: box.path, checksum: 'a'.repeat(64), dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
  t.true(isBoxwrightError(explicit, 'E_CHECKSUM'));
  await t.throwsAsync(access(catalog));
});

test('the explicit checksum option wins over the sidecar', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const box = await fakeBox(src, { sidecar: false });
  await writeFile(`${box.path}.sha256`, 'garbage');
  const r = await publishToCatalog({ box: box.path, checksum: box.sha256.toUpperCase(), dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' });
  t.is(r.checksum, box.sha256);
});

test('a catalog of another box name is refused', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const box = await fakeBox(src);
  await publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' });
  const error = await t.throwsAsync(publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'other/box', provider: 'libvirt', version: '1.0.1' }));
  t.true(isBoxwrightError(error, 'E_PUBLISH_CONFLICT'));
});

test('a version not above the latest is refused without force', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const box = await fakeBox(src);
  await publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '2.0.0' });
  const error = await t.throwsAsync(publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.5.0' }));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'));
});

test('an unreadable metadata.json is reported, not overwritten', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  await mkdirp(catalog);
  await writeFile(join(catalog, 'metadata.json'), '{not json');
  const box = await fakeBox(src);
  const error = await t.throwsAsync(publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
  t.true(isBoxwrightError(error, 'E_PUBLISH'));
  t.is(await readFile(join(catalog, 'metadata.json'), 'utf8'), '{not json');
  t.is(await readCatalog(join(catalog, 'missing')), undefined);
});

test('a bad base URL is refused before anything is written', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  const box = await fakeBox(src);
  const error = await t.throwsAsync(publishToCatalog({ box: box.path, dir: catalog, baseUrl: 'not a url', name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'));
  await t.throwsAsync(access(catalog));
});

test('a mutex held by a live process makes a publish wait, then it completes', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  await mkdirp(catalog);
  const { acquireMutex } = await import('../../lib/util/mutex.js');
  const release = await acquireMutex(join(catalog, '.boxwright-publish.lock'));
  const box = await fakeBox(src);
  let done = false;
  const publishing = publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }).then((r) => { done = true; return r; });
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.false(done, 'waits while the mutex is held');
  await release();
  t.false((await publishing).noop);
  t.is((await metadata(catalog)).versions[0]!.providers[0]!.checksum, box.sha256);
});

test('a stale mutex of a dead process is taken over', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdirp(src);
  await mkdirp(catalog);
  const { hostname } = await import('node:os');
  await writeFile(join(catalog, '.boxwright-publish.lock'), `999999999 ${hostname()} deadbeef\n`);
  const box = await fakeBox(src);
  await t.notThrowsAsync(publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
  await t.throwsAsync(access(join(catalog, '.boxwright-publish.lock')));
});

test('one version holds amd64 and arm64 of one provider; amd64 is the default and comes first', async (t) => {
  const { src, catalog } = await setup(t);
  const arm = await fakeBox(join(src, 'arm'), { content: 'arm64 disk' });
  const amd = await fakeBox(join(src, 'amd'), { content: 'amd64 disk' });
  await publishToCatalog({ box: arm.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0', architecture: 'arm64' });
  let providers = (await metadata(catalog)).versions[0]!.providers;
  t.deepEqual(providers.map((p) => [p.architecture, p.default_architecture]), [['arm64', true]], 'alone, arm64 is the default');
  await publishToCatalog({ box: amd.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' });
  providers = (await metadata(catalog)).versions[0]!.providers;
  t.deepEqual(providers.map((p) => [p.architecture, p.default_architecture, p.checksum]), [['amd64', true, amd.sha256], ['arm64', false, arm.sha256]]);
  t.not(providers[0]!.url, providers[1]!.url);
  const again = await publishToCatalog({ box: arm.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0', architecture: 'arm64' });
  t.true(again.noop);
  const bad = await t.throwsAsync(publishToCatalog({ box: arm.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0', architecture: 'ARM 64' }));
  t.true(isBoxwrightError(bad, 'E_SPEC_INVALID'));
});

test('a catalog written by an older Boxwright (<version>/<provider>.box, no architecture) is kept and re-publishing is a no-op', async (t) => {
  const { src, catalog } = await setup(t);
  const box = await fakeBox(src);
  const { mkdir, copyFile } = await import('node:fs/promises');
  await mkdir(join(catalog, '1.0.0'), { recursive: true });
  await copyFile(box.path, join(catalog, '1.0.0', 'libvirt.box'));
  const legacy = { name: 'foobar/web', versions: [{ version: '1.0.0', providers: [{ name: 'libvirt', url: `${BASE}/1.0.0/libvirt.box`, checksum_type: 'sha256', checksum: box.sha256 }] }] };
  await writeFile(join(catalog, 'metadata.json'), JSON.stringify(legacy));
  const r = await publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' });
  t.true(r.noop);
  t.is(r.url, `${BASE}/1.0.0/libvirt.box`);
  t.deepEqual(JSON.parse(await readFile(join(catalog, 'metadata.json'), 'utf8')), legacy);
});
