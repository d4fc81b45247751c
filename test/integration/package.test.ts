/**
 * The package as a user gets it: `npm pack` of a copy of this checkout (its prepack compiles),
 * `npm install <tarball>` into a fresh project (dependencies from the npm registry), then the
 * library, its types, the CLI and the Vagrantfile used from node_modules/boxwright.
 */
import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hasCommand } from '../lab/helpers.js';
import { repoRoot, tempRoot, testCacheDir } from '../render/helpers.js';

const temp = await tempRoot('boxwright-package-');
test.after.always(() => temp.cleanup());

const npmEnv = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** Packs a copy of the checkout (tracked and untracked, not ignored files) and installs the tarball in a fresh project. */
async function packAndInstall(): Promise<{ project: string; installed: string; tarball: string; files: string[] }> {
  const checkout = path.join(temp.dir, 'checkout');
  const { stdout } = await execa('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot });
  for (const file of stdout.split('\0').filter(Boolean)) {
    // A worktree's node_modules may be a symlink, which the `node_modules/` ignore rule misses.
    if (!existsSync(path.join(repoRoot, file)) || file.split('/')[0] === 'node_modules') continue;
    await mkdir(path.dirname(path.join(checkout, file)), { recursive: true });
    await cp(path.join(repoRoot, file), path.join(checkout, file), { verbatimSymlinks: true });
  }
  await symlink(path.join(repoRoot, 'node_modules'), path.join(checkout, 'node_modules'));
  const packs = path.join(temp.dir, 'packs');
  await mkdir(packs);
  const packed = await execa('npm', ['pack', '--json', '--pack-destination', packs], { cwd: checkout, env: npmEnv });
  const info = (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
  if (!info) throw new Error(`npm pack printed no result: ${packed.stdout}`);
  const tarball = path.join(packs, info.filename);

  const project = path.join(temp.dir, 'consumer');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  await execa('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: project, env: npmEnv, timeout: 600_000 });
  return { project, installed: path.join(project, 'node_modules', 'boxwright'), tarball, files: info.files.map((f) => f.path) };
}

const hasNpm = hasCommand('npm');
const pkgTest = hasNpm ? test.serial : test.serial.skip;
let installation: Promise<Awaited<ReturnType<typeof packAndInstall>>> | undefined;
const installed = () => (installation ??= packAndInstall());

pkgTest('the tarball ships the library, the CLI, the Vagrantfile with vagrant/*.rb, the schemas, the images and LICENSE, without sources or maps', async (t) => {
  const { files } = await installed();
  for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'bin/boxwright.js', 'cjs/esm-only.cjs', 'Vagrantfile',
    'vagrant/settings.rb', 'schema/image.schema.json', 'schema/events.schema.json', 'images/foobar-web/image.json', 'LICENSE', 'package.json']) {
    t.true(files.includes(file), `${file} is shipped`);
  }
  for (const rb of await readdir(path.join(repoRoot, 'vagrant'))) t.true(files.includes(`vagrant/${rb}`), `vagrant/${rb} is shipped`);
  t.false(files.some((f) => f.startsWith('lib/') || f.startsWith('test/')), 'no TypeScript sources or tests');
  t.false(files.some((f) => f.endsWith('.map')), 'no source maps pointing at sources that are not shipped');
  t.false(files.some((f) => f.includes('node_modules/')), 'no node_modules');
  t.regex(await readFile(path.join(repoRoot, 'LICENSE'), 'utf8'), /^MIT License/);
});

pkgTest('an ES module imports buildImage and loadImage from the installed package and loads its sample image', async (t) => {
  const { project, installed: dir } = await installed();
  await writeFile(path.join(project, 'use.mjs'), `import { buildImage, loadImage } from 'boxwright';
import schema from 'boxwright/schema/image.schema.json' with { type: 'json' };
const spec = await loadImage(process.argv[2]);
console.log(JSON.stringify({ buildImage: typeof buildImage, name: spec.name, schema: schema.title ?? schema.$id ?? 'schema' }));
`);
  const result = await execa('node', ['use.mjs', path.join(dir, 'images', 'foobar-web')], { cwd: project });
  const seen = JSON.parse(result.stdout) as { buildImage: string; name: string; schema: string };
  t.is(seen.buildImage, 'function');
  t.is(seen.name, 'foobar-web');
  t.truthy(seen.schema);
});

pkgTest('require(\'boxwright\') fails with an error that says the package is ESM and how to import it', async (t) => {
  const { project } = await installed();
  const result = await execa('node', ['-e', "require('boxwright')"], { cwd: project, reject: false });
  t.not(result.exitCode, 0);
  t.regex(result.stderr, /boxwright is an ES module package and cannot be loaded with require\(\)/);
  t.regex(result.stderr, /await import\('boxwright'\)/);
  t.notRegex(result.stderr, /No "exports" main defined/);
});

pkgTest('a TypeScript consumer type-checks against the installed package with the project\'s tsc', async (t) => {
  const { project } = await installed();
  await writeFile(path.join(project, 'use.ts'), `import { buildImage, loadImage, BoxwrightError, type BuildEvent, type BuildResult, type ImageSpec } from 'boxwright';
const spec: ImageSpec = await loadImage('images/foobar-web');
const onEvent = (e: BuildEvent): void => { if (e.type === 'step') console.log(e.index, e.total, e.name); };
const result: BuildResult = await buildImage(spec, { outDir: 'out', onEvent, signal: AbortSignal.timeout(1000) });
const code: string = new BoxwrightError('E_USAGE', 'x').code;
// @ts-expect-error outDir is required
await buildImage(spec, {});
console.log(result.box, code);
`);
  await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
      typeRoots: [path.join(repoRoot, 'node_modules', '@types')], types: ['node'],
    },
    files: ['use.ts'],
  }));
  const tsc = path.join(repoRoot, 'node_modules', '.bin', 'tsc');
  const result = await execa(tsc, ['-p', 'tsconfig.json'], { cwd: project, reject: false });
  t.is(result.exitCode, 0, result.stdout + result.stderr);
});

pkgTest('npx boxwright -v and render work from the project, with the installed package\'s images', async (t) => {
  const { project, installed: dir } = await installed();
  const env = { ...npmEnv, BOXWRIGHT_CACHE: testCacheDir };
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  const version = await execa('npx', ['--no-install', 'boxwright', '-v'], { cwd: project, env });
  t.is(version.stdout, pkg.version);
  const out = path.join(project, 'x');
  const render = await execa('npx', ['--no-install', 'boxwright', 'render', path.join(dir, 'images', 'foobar-web'), '--base', 'debian-12', '--out', out], { cwd: project, env, reject: false });
  t.is(render.exitCode, 0, render.stderr);
  t.regex(render.stdout, /^[0-9a-f]{64}$/);
  t.true(existsSync(path.join(out, 'build.pkr.json')));
  t.is((await readFile(path.join(out, 'inputs.sha256'), 'utf8')).trim(), render.stdout);
});

(hasNpm && hasCommand('vagrant') ? test.serial : test.serial.skip)('vagrant validate passes for the installed Vagrantfile (it finds vagrant/*.rb)', async (t) => {
  const { installed: dir } = await installed();
  const vagrantHome = path.join(temp.dir, 'vagrant-home');
  await mkdir(vagrantHome, { recursive: true });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('BOXWRIGHT_') && !k.startsWith('VAGRANT_')) env[k] = v;
  const result = await execa('vagrant', ['validate'], {
    cwd: dir, reject: false, extendEnv: false, timeout: 180_000,
    env: { ...env, VAGRANT_HOME: vagrantHome, BOXWRIGHT_BOX: 'fake/not-downloaded', BOXWRIGHT_PROVIDER: 'libvirt', BOXWRIGHT_ACCELERATOR: 'tcg', BOXWRIGHT_CPU_MODEL: 'qemu64' },
  });
  t.is(result.exitCode, 0, result.stdout + result.stderr);
  t.regex(result.stdout, /validated successfully/);
});
