import test from 'ava';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBoxwrightError } from '../../lib/errors.js';
import { publishToCatalog } from '../../lib/publish/catalog.js';
import { fakeBox, tempDir } from './helpers.js';

const BASE = 'https://boxes.example.com/foobar-web/';

async function setup(t: { teardown: (fn: () => Promise<void>) => void }) {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  return { src: join(dir, 'out'), catalog: join(dir, 'catalog') };
}

// Issue 14, row 9: credentials published in metadata.json, a query dropping the path, a TypeError.
for (const [what, baseUrl] of [
  ['user:secret@', 'https://user:s3cretPW@boxes.example.com/x/'],
  ['a ?sig= query', 'https://boxes.example.com/x/?sig=abc'],
  ['a #fragment', 'https://boxes.example.com/x/#top'],
  ['javascript:', 'javascript:alert(1)'],
  ['file:', 'file:///srv/boxes/'],
] as const) {
  test(`probe 9: a base URL with ${what} is refused before anything is written`, async (t) => {
    const { src, catalog } = await setup(t);
    const box = await fakeBox(src);
    const error = await t.throwsAsync(publishToCatalog({ box: box.path, dir: catalog, baseUrl, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
    t.true(isBoxwrightError(error, 'E_SPEC_INVALID'), String(error));
    t.is((error as { path?: string }).path, 'baseUrl');
    t.notRegex(error!.message, /s3cretPW/);
    t.notRegex(error!.message, /TypeError/);
    await t.throwsAsync(access(catalog));
  });
}

// Issue 14, row 10: a TypeError exit 1, in two cases after the box was already copied in.
for (const [what, versions, field] of [
  ['versions:[null]', [null], /versions\[0\] is null/],
  ['providers:"x"', [{ version: '0.9.0', providers: 'x' }], /versions\[0\]\.providers is not an array/],
  ['a provider without url', [{ version: '0.9.0', providers: [{ name: 'libvirt', checksum: 'ab' }] }], /versions\[0\]\.providers\[0\]\.url/],
  ['the same version twice', [{ version: '0.9.0', providers: [] }, { version: '0.9.0', providers: [] }], /repeats version 0\.9\.0/],
] as const) {
  test(`probe 10: a catalog with ${what} is refused with the field named, nothing copied`, async (t) => {
    const { src, catalog } = await setup(t);
    await mkdir(catalog, { recursive: true });
    const text = JSON.stringify({ name: 'foobar/web', versions });
    await writeFile(join(catalog, 'metadata.json'), text);
    const box = await fakeBox(src);
    for (const version of ['1.0.0', '0.9.0']) {
      const error = await t.throwsAsync(publishToCatalog({ box: box.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version, force: true }));
      t.true(isBoxwrightError(error, 'E_PUBLISH'), String(error));
      t.regex(error!.message, field);
      t.regex(error!.message, /nothing was written/);
    }
    t.deepEqual(await readdir(catalog), ['metadata.json']);
    t.is(await readFile(join(catalog, 'metadata.json'), 'utf8'), text);
  });
}

// Issue 14, row 11: a .box that is not a box was published.
test('probe 11: a .box that is not a gzip tarball is refused before anything is written', async (t) => {
  const { src, catalog } = await setup(t);
  await mkdir(src, { recursive: true });
  const path = join(src, 'foobar-web-1.0.0.libvirt.box');
  await writeFile(path, 'just some text, not a box');
  const error = await t.throwsAsync(publishToCatalog({ box: path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
  t.true(isBoxwrightError(error, 'E_PUBLISH'), String(error));
  t.regex(error!.message, /not a Vagrant box for libvirt/);
  await t.throwsAsync(access(catalog));
});

test('probe 11: a tarball without metadata.json, or for another provider, is refused', async (t) => {
  const { src, catalog } = await setup(t);
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  await mkdir(join(src, 'content'), { recursive: true });
  await writeFile(join(src, 'content', 'box.img'), 'disk');
  const bare = join(src, 'foobar-web-1.0.0.libvirt.box');
  await promisify(execFile)('tar', ['-czf', bare, '-C', join(src, 'content'), 'box.img']);
  const error = await t.throwsAsync(publishToCatalog({ box: bare, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
  t.true(isBoxwrightError(error, 'E_PUBLISH'));
  const vbox = await fakeBox(join(src, 'vb'), { provider: 'virtualbox' });
  const wrong = await t.throwsAsync(publishToCatalog({ box: vbox.path, dir: catalog, baseUrl: BASE, name: 'foobar/web', provider: 'libvirt', version: '1.0.0' }));
  t.true(isBoxwrightError(wrong, 'E_PUBLISH'));
  await t.throwsAsync(access(catalog));
});
