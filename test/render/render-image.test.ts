import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { BoxwrightError } from '../../lib/errors.js';
import { renderImage, type RenderOptions } from '../../lib/render/render-image.js';
import type { ImageSpec } from '../../lib/image/types.js';
import { HOST, readTree, sampleSpec, tempRoot, testCacheDir } from './helpers.js';

const temp = await tempRoot('boxwright-render-');
test.after.always(() => temp.cleanup());

let counter = 0;
/** A fresh, not yet existing folder path under this file's temp folder. */
function freshDir(name: string): string {
  counter += 1;
  return path.join(temp.dir, `${String(counter).padStart(3, '0')}-${name}`, 'build');
}

async function render(spec: ImageSpec, outDir: string, options: Partial<RenderOptions> = {}) {
  return renderImage(spec, { outDir, host: HOST, cacheDir: testCacheDir, ...options });
}

// The first render bundles the app (npm ci into the test cache); run it before the parallel tests.
test.before(async () => {
  await render(await sampleSpec(), freshDir('warm-up'), { base: 'debian-12', kind: 'vm' });
});

test('rendering the same spec into two different folders gives the same inputs hash and byte-identical trees', async (t) => {
  const spec = await sampleSpec();
  const a = await render(spec, freshDir('a'), { base: 'debian-12', kind: 'vm' });
  const b = await render(spec, path.join(freshDir('elsewhere'), 'deeper', 'b'), { base: 'debian-12', kind: 'vm' });
  t.not(a.dir, b.dir);
  t.is(a.inputsHash, b.inputsHash);
  t.regex(a.inputsHash, /^[0-9a-f]{64}$/);
  t.deepEqual(a.files, b.files);
  const treeA = await readTree(a.dir);
  const treeB = await readTree(b.dir);
  t.deepEqual([...treeA.keys()], [...treeB.keys()]);
  for (const [file, content] of treeA) t.true(content.equals(treeB.get(file) ?? Buffer.alloc(0)), `${file} differs`);
  t.is((await readFile(path.join(a.dir, 'inputs.sha256'), 'utf8')).trim(), a.inputsHash);
});

test('no rendered file mentions the folder it was rendered into', async (t) => {
  const result = await render(await sampleSpec(), freshDir('no-paths'), { base: 'ubuntu-24.04', kind: 'vm' });
  for (const [file, content] of await readTree(result.dir)) {
    t.false(content.includes(Buffer.from(temp.dir)), `${file} holds the build folder path`);
  }
});

test('the file modes of a render are the same every time', async (t) => {
  const spec = await sampleSpec();
  const a = await render(spec, freshDir('mode-a'), { base: 'debian-12', kind: 'chroot' });
  const b = await render(spec, freshDir('mode-b'), { base: 'debian-12', kind: 'chroot' });
  for (const file of a.files) {
    t.is((await stat(path.join(a.dir, file))).mode, (await stat(path.join(b.dir, file))).mode, file);
  }
  t.is((await stat(path.join(a.dir, 'keys/vagrant_insecure_key'))).mode & 0o777, 0o600);
  t.is((await stat(path.join(a.dir, 'scripts/00-apt.sh'))).mode & 0o777, 0o755);
});

test('changing one provisioner value (app.port) changes the inputs hash', async (t) => {
  const a = await render(await sampleSpec(), freshDir('port-3000'), { base: 'debian-12', kind: 'vm' });
  const b = await render(await sampleSpec({ app: { port: 3001 } }), freshDir('port-3001'), { base: 'debian-12', kind: 'vm' });
  t.not(a.inputsHash, b.inputsHash);
});

test('rendering for another provider, base or kind changes the inputs hash', async (t) => {
  const spec = await sampleSpec();
  const hashes = new Set<string>();
  for (const options of [
    { provider: 'libvirt', base: 'debian-12', kind: 'vm' },
    { provider: 'libvirt', base: 'debian-12', kind: 'chroot' },
    { provider: 'virtualbox', base: 'debian-12', kind: 'vm' },
    { provider: 'libvirt', base: 'ubuntu-24.04', kind: 'vm' },
  ] as const) {
    hashes.add((await render(spec, freshDir(`${options.provider}-${options.base}-${options.kind}`), options)).inputsHash);
  }
  t.is(hashes.size, 4);
});

test('an out folder that is not empty and not an earlier render is refused and left untouched', async (t) => {
  const outDir = freshDir('someones-work');
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'thesis.tex'), 'precious');
  const error = await t.throwsAsync(render(await sampleSpec(), outDir, { base: 'debian-12', kind: 'vm' }), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_USAGE');
  t.regex(error?.message ?? '', /not empty/);
  t.deepEqual(await readdir(outDir), ['thesis.tex']);
  t.is(await readFile(path.join(outDir, 'thesis.tex'), 'utf8'), 'precious');
  t.deepEqual(await readdir(path.dirname(outDir)), ['build'], 'no temp folder left beside it');
});

test('render --out a folder that holds the three marker files and a user file refuses, naming the file, and deletes nothing', async (t) => {
  const outDir = freshDir('markers-and-a-user-file');
  await mkdir(outDir, { recursive: true });
  for (const marker of ['inputs.sha256', 'build.pkr.json', 'boxwright.json']) await writeFile(path.join(outDir, marker), '{}\n');
  await writeFile(path.join(outDir, 'thesis.tex'), 'precious');
  const error = await t.throwsAsync(render(await sampleSpec(), outDir, { base: 'debian-12', kind: 'vm' }), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_USAGE');
  t.regex(error?.message ?? '', /"thesis\.tex", which no render writes/);
  t.deepEqual((await readdir(outDir)).sort(), ['boxwright.json', 'build.pkr.json', 'inputs.sha256', 'thesis.tex']);
  t.is(await readFile(path.join(outDir, 'thesis.tex'), 'utf8'), 'precious');
  t.deepEqual(await readdir(path.dirname(outDir)), ['build'], 'no temp folder left beside it');
});

test('an earlier render that packer built in (output, artifacts, packer_cache) is still replaced', async (t) => {
  const outDir = freshDir('packer-ran-here');
  await render(await sampleSpec(), outDir, { base: 'debian-12', kind: 'vm' });
  for (const folder of ['output', 'artifacts', 'packer_cache']) await mkdir(path.join(outDir, folder));
  await writeFile(path.join(outDir, 'output-serial.log'), 'boot\n');
  const second = await render(await sampleSpec(), outDir, { base: 'debian-12', kind: 'vm' });
  t.deepEqual([...(await readTree(outDir)).keys()], second.files);
});

test('an earlier render in the out folder is replaced, stale files included', async (t) => {
  const outDir = freshDir('again');
  const first = await render(await sampleSpec(), outDir, { base: 'ubuntu-24.04', kind: 'vm' });
  t.true(first.files.includes('seed/user-data'));
  const second = await render(await sampleSpec(), outDir, { base: 'debian-12', kind: 'vm' });
  t.false(existsSync(path.join(outDir, 'seed')), 'files of the earlier render are gone');
  t.deepEqual([...(await readTree(outDir)).keys()], second.files);
  t.deepEqual(await readdir(path.dirname(outDir)), ['build']);
});

test('an empty existing out folder is used', async (t) => {
  const outDir = freshDir('empty');
  await mkdir(outDir, { recursive: true });
  const result = await render(await sampleSpec(), outDir, { base: 'debian-12', kind: 'vm' });
  t.true(result.files.includes('build.pkr.json'));
});

test('a failed render (app folder missing) leaves no folder behind', async (t) => {
  const outDir = freshDir('no-app');
  const spec = await sampleSpec({ app: { source: 'no-such-app' } });
  const error = await t.throwsAsync(render(spec, outDir, { base: 'debian-12', kind: 'vm' }), { instanceOf: BoxwrightError });
  t.is(error?.path, 'app.source');
  t.false(existsSync(outDir));
  t.false(existsSync(path.dirname(outDir)) && (await readdir(path.dirname(outDir))).length > 0, 'nothing was written beside it');
});

test('a failed render keeps an earlier render in place', async (t) => {
  const outDir = freshDir('keep');
  const first = await render(await sampleSpec(), outDir, { base: 'debian-12', kind: 'vm' });
  await t.throwsAsync(render(await sampleSpec({ app: { source: 'no-such-app' } }), outDir, { base: 'debian-12', kind: 'vm' }));
  t.is((await readFile(path.join(outDir, 'inputs.sha256'), 'utf8')).trim(), first.inputsHash);
});

test('a provider the image does not list is refused', async (t) => {
  const spec = await sampleSpec({ providers: ['libvirt'] });
  const error = await t.throwsAsync(render(spec, freshDir('vbox'), { provider: 'virtualbox' }), { instanceOf: BoxwrightError });
  t.is(error?.path, 'providers');
});

test('the chroot kind renders the chroot helpers and leaves out vm-only scripts', async (t) => {
  const result = await render(await sampleSpec(), freshDir('chroot'), { base: 'debian-12', kind: 'chroot' });
  t.is(result.plan.kind, 'chroot');
  t.true(result.files.includes('helpers/chroot.sh'));
  t.true(result.files.includes('helpers/make-disk.sh'));
  t.false(result.files.includes('scripts/95-minimize.sh'));
  t.false(result.files.some((file) => file.startsWith('seed/')));
});

test('the vm kind renders no chroot helpers', async (t) => {
  const result = await render(await sampleSpec(), freshDir('vm'), { base: 'debian-12', kind: 'vm' });
  t.is(result.plan.kind, 'vm');
  t.false(result.files.some((file) => file.startsWith('helpers/')));
  t.true(result.files.includes('scripts/95-minimize.sh'));
});

test("the box's own Vagrantfile names the guest OS, so vagrant up does not probe for it", async (t) => {
  const debian = await render(await sampleSpec(), freshDir('box-debian'), { base: 'debian-12', kind: 'chroot' });
  const text = await readFile(path.join(debian.dir, 'files/box/Vagrantfile'), 'utf8');
  t.regex(text, /^  config\.vm\.guest = :debian$/m);
  t.regex(text, /^  config\.vm\.synced_folder "\.", "\/vagrant", disabled: true$/m);
  t.regex(text, /foobar-web box/);
  const ubuntu = await render(await sampleSpec(), freshDir('box-ubuntu'), { base: 'ubuntu-24.04', kind: 'vm' });
  t.regex(await readFile(path.join(ubuntu.dir, 'files/box/Vagrantfile'), 'utf8'), /^  config\.vm\.guest = :ubuntu$/m);
  t.true((await readFile(path.join(debian.dir, 'helpers/chroot.sh'), 'utf8')).includes('"$build/files/box/Vagrantfile"'), 'the chroot helper packs the same file');
});

test('the auto kind on a root host picks chroot for debian on libvirt and vm for ubuntu', async (t) => {
  const spec = await sampleSpec();
  t.is((await render(spec, freshDir('auto-debian'), { base: 'debian-12', kind: 'auto' })).plan.kind, 'chroot');
  t.is((await render(spec, freshDir('auto-ubuntu'), { base: 'ubuntu-24.04', kind: 'auto' })).plan.kind, 'vm');
});

test('the ubuntu base renders the NoCloud seed, the debian base does not', async (t) => {
  const ubuntu = await render(await sampleSpec(), freshDir('ubuntu'), { base: 'ubuntu-24.04', kind: 'vm' });
  t.true(ubuntu.files.includes('seed/user-data'));
  t.true(ubuntu.files.includes('seed/meta-data'));
  const userData = await readFile(path.join(ubuntu.dir, 'seed/user-data'), 'utf8');
  t.true(userData.startsWith('#cloud-config\n'));
  t.regex(await readFile(path.join(ubuntu.dir, 'seed/meta-data'), 'utf8'), /local-hostname: www\n/);
  const debian = await render(await sampleSpec(), freshDir('debian'), { base: 'debian-12', kind: 'vm' });
  t.false(debian.files.some((file) => file.startsWith('seed/')));
});

test('the result lists every file written, the template path and the plan', async (t) => {
  const result = await render(await sampleSpec(), freshDir('result'), { base: 'debian-12', kind: 'vm', provider: 'virtualbox' });
  t.deepEqual(result.files, [...(await readTree(result.dir)).keys()]);
  t.is(result.templatePath, path.join(result.dir, 'build.pkr.json'));
  t.is(result.plan.provider, 'virtualbox');
  t.is(result.plan.accelerator, 'tcg');
  for (const { path: script } of result.plan.scripts) t.true(result.files.includes(script), script);
  for (const file of ['app.tar.gz', 'boxwright.json', 'inputs.sha256', 'keys/vagrant_insecure_key']) t.true(result.files.includes(file), file);
  const template = JSON.parse(await readFile(result.templatePath, 'utf8')) as { source: Record<string, unknown> };
  t.deepEqual(Object.keys(template.source), ['virtualbox-ovf']);
});

test('the scripts are rendered with every mustache tag replaced', async (t) => {
  const result = await render(await sampleSpec(), freshDir('tags'), { base: 'ubuntu-24.04', kind: 'vm' });
  for (const file of result.files.filter((f) => f.startsWith('scripts/') || f.startsWith('files/'))) {
    const text = await readFile(path.join(result.dir, file), 'utf8');
    t.notRegex(text, /\{\{[#^/]?\s*[A-Za-z]+\s*\}\}/, `${file} still holds a mustache tag`);
  }
});
