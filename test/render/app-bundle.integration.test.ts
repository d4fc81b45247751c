import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { bundleApp, hashSources, resolveAppSource } from '../../lib/render/app-bundle.js';
import { ignoreMatcher } from '../../lib/render/app-ignore.js';
import { isBoxwrightError } from '../../lib/errors.js';
import { tempRoot } from './helpers.js';

const root = await tempRoot('bw-app-bundle-');
test.after.always(root.cleanup);

/** A tiny app with a dependency-free package-lock.json (npm ci runs offline). */
async function makeApp(dir: string, extra: Record<string, string> = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'tiny', version: '1.0.0', private: true }));
  await writeFile(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'tiny', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'tiny', version: '1.0.0' } } }));
  await writeFile(path.join(dir, 'server.js'), 'console.log("hi")\n');
  for (const [file, content] of Object.entries(extra)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}

async function fresh(): Promise<{ imageDir: string; cacheDir: string; base: string }> {
  const base = await mkdtemp(path.join(root.dir, 'case-'));
  const imageDir = path.join(base, 'image');
  await mkdir(imageDir);
  return { imageDir, cacheDir: path.join(base, 'cache'), base };
}

/** Entries of a bundle with their modes: `-rw-r----- ./server.js`. */
async function bundleListing(bundle: string): Promise<Array<{ mode: string; name: string }>> {
  const { stdout } = await execa('tar', ['-tvzf', bundle]);
  return stdout.split('\n').filter(Boolean).map((line) => {
    const parts = line.split(/\s+/);
    return { mode: parts[0]!, name: parts.slice(5).join(' ').replace(/ -> .*$/, '') };
  });
}

test('app.source a symlink to a folder outside the image is refused, and npm ci writes nothing there', async (t) => {
  const { imageDir, cacheDir, base } = await fresh();
  const outside = path.join(base, 'outside');
  await makeApp(outside, { '.env': 'SECRET=1\n' });
  await symlink('../outside', path.join(imageDir, 'app'));
  const error = await t.throwsAsync(bundleApp({ imageDir, source: 'app' }, cacheDir));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'), String(error));
  t.is((error as { path?: string }).path, 'app.source');
  t.regex(error!.message, /app\.source: "app" resolves to .*outside the image folder/);
  t.false((await readdir(outside)).includes('node_modules'), 'npm ci did not run in the outside folder');
  await t.throwsAsync(hashSources({ imageDir, source: 'app' }), { message: /outside the image folder/ });
});

test('app.source that climbs out of the image folder is refused', async (t) => {
  const { imageDir, base } = await fresh();
  await makeApp(path.join(base, 'elsewhere'));
  await t.throwsAsync(resolveAppSource(imageDir, '../elsewhere'), { message: /outside the image folder/ });
  await t.throwsAsync(resolveAppSource(imageDir, 'missing'), { message: /app\.source: folder .*missing does not exist/ });
});

test('a symlink inside the app folder that leaves it is refused, naming the link', async (t) => {
  const { imageDir, cacheDir, base } = await fresh();
  await makeApp(path.join(imageDir, 'app'));
  await writeFile(path.join(base, 'host-secret'), 'x');
  await symlink(path.join(base, 'host-secret'), path.join(imageDir, 'app', 'config.json'));
  const error = await t.throwsAsync(bundleApp({ imageDir, source: 'app' }, cacheDir));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'));
  t.regex(error!.message, /config\.json is a symlink to .*host-secret, outside the app folder/);
});

test('a symlink that stays inside the app folder is bundled as a link', async (t) => {
  const { imageDir, cacheDir } = await fresh();
  await makeApp(path.join(imageDir, 'app'), { 'lib/real.js': 'x\n' });
  await symlink('lib/real.js', path.join(imageDir, 'app', 'alias.js'));
  const bundle = await bundleApp({ imageDir, source: 'app' }, cacheDir);
  const { stdout } = await execa('tar', ['-tvzf', bundle.path]);
  t.regex(stdout, /\.\/alias\.js -> lib\/real\.js/);
});

test('.env, .npmrc, .git, keys and id_* files are left out of the bundle, and nothing in it is readable by others', async (t) => {
  const { imageDir, cacheDir } = await fresh();
  await makeApp(path.join(imageDir, 'app'), {
    '.env': 'DB_PASSWORD=hunter2\n', '.env.production': 'X=1\n', '.npmrc': '//registry.example/:_authToken=abc\n',
    '.git/config': '[core]\n', 'tls/server.pem': 'pem', 'tls/server.key': 'key', 'id_ed25519': 'key', 'deploy/id_rsa.pub': 'pub',
    'public/index.html': '<p>ok</p>\n',
  });
  await chmod(path.join(imageDir, 'app', '.env'), 0o600);
  const bundle = await bundleApp({ imageDir, source: 'app' }, cacheDir);
  const listing = await bundleListing(bundle.path);
  const names = listing.map((entry) => entry.name);
  for (const secret of ['./.env', './.env.production', './.npmrc', './.git/config', './.git/', './tls/server.pem', './tls/server.key', './id_ed25519', './deploy/id_rsa.pub']) {
    t.false(names.includes(secret), `${secret} is not bundled`);
  }
  for (const kept of ['./server.js', './package.json', './public/index.html']) t.true(names.includes(kept), `${kept} is bundled`);
  for (const entry of listing) t.regex(entry.mode, /^[-dl]r.{5}---$|^l/, `${entry.name} is not readable by others (${entry.mode})`);
  t.true(listing.some((entry) => entry.name === './server.js' && entry.mode === '-rw-r-----'));
});

test('.boxwrightignore extends the ignore list, and can re-include a default', async (t) => {
  const { imageDir, cacheDir } = await fresh();
  await makeApp(path.join(imageDir, 'app'), {
    '.boxwrightignore': '# local data\ncoverage/\n/secrets.json\n*.log\n!.env.example\n',
    'coverage/lcov.info': 'x', 'secrets.json': '{}', 'nested/secrets.json': '{}', 'debug.log': 'x', '.env.example': 'X=\n', '.env': 'X=1\n',
  });
  const names = (await bundleListing((await bundleApp({ imageDir, source: 'app' }, cacheDir)).path)).map((entry) => entry.name);
  t.false(names.includes('./coverage/lcov.info'));
  t.false(names.includes('./secrets.json'), 'an anchored pattern matches at the top');
  t.true(names.includes('./nested/secrets.json'), 'an anchored pattern does not match deeper');
  t.false(names.includes('./debug.log'));
  t.false(names.includes('./.boxwrightignore'));
  t.true(names.includes('./.env.example'), 're-included');
  t.false(names.includes('./.env'));
});

test('the source hash ignores what the bundle leaves out, and follows what it takes', async (t) => {
  const { imageDir } = await fresh();
  await makeApp(path.join(imageDir, 'app'), { '.env': 'A=1\n' });
  const before = await hashSources({ imageDir, source: 'app' });
  await writeFile(path.join(imageDir, 'app', '.env'), 'A=2\n');
  t.is(await hashSources({ imageDir, source: 'app' }), before, 'a changed .env does not change the bundle');
  await writeFile(path.join(imageDir, 'app', '.boxwrightignore'), 'server.js\n');
  t.not(await hashSources({ imageDir, source: 'app' }), before, 'a new ignore rule does');
});

test('the ignore matcher treats a trailing slash as folders only and plain names at any depth', (t) => {
  const ignored = ignoreMatcher(['build/', 'docs/**/*.md']);
  t.true(ignored('build', true));
  t.false(ignored('build', false));
  t.true(ignored('a/b/.env.local', false));
  t.true(ignored('docs/x/y/readme.md', false));
  t.true(ignored('docs/readme.md', false));
  t.false(ignored('server.js', false));
  t.true(ignored('node_modules', true));
});
