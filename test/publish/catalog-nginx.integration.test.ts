import test from 'ava';
import { createHash } from 'node:crypto';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CatalogMetadata } from '../../lib/publish/catalog-metadata.js';
import { cli, hasVagrant, startCli, vagrant } from './cli-run.js';
import { fakeBox, tempDir } from './helpers.js';
import { hasNginx, startNginx, type Nginx } from './nginx-server.js';

// Real nginx (Debian nginx-light: DAV module, basic auth) on 127.0.0.1, the real CLI
// (node bin/boxwright.js), real vagrant box add. Not VM tests: each takes seconds.
const USER = 'publisher';
const PASSWORD = 'pw-Secr3t-nginx-4471';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const env = { ...process.env, BOXWRIGHT_PUBLISH_USER: USER, BOXWRIGHT_PUBLISH_PASSWORD: PASSWORD, BOXWRIGHT_DEBUG: '1' };
const nginxTest = hasNginx() ? test.serial : test.serial.skip;
const vagrantTest = hasNginx() && (await hasVagrant()) ? test.serial : test.serial.skip;

async function setup(t: { teardown: (fn: () => Promise<void>) => void }, methods?: string): Promise<{ dir: string; nginx: Nginx }> {
  const { dir, cleanup } = await tempDir('bw-publish-nginx-');
  await chmod(dir, 0o755); // nginx's worker (nobody) must reach its root
  const nginx = await startNginx(join(dir, 'nginx'), USER, PASSWORD, methods);
  t.teardown(async () => {
    await nginx.stop();
    await cleanup();
  });
  return { dir, nginx };
}

async function filesBelow(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** No credential in any text the run produced, nor in any file the server holds or logged. */
async function assertNoCredential(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, texts: string[], roots: string[]): Promise<void> {
  const found: string[] = [];
  for (const [i, text] of texts.entries()) if (text.includes(PASSWORD) || text.includes(BASIC)) found.push(`output ${i}`);
  for (const root of roots) {
    for (const file of await filesBelow(root)) {
      const bytes = await readFile(file);
      if (bytes.includes(PASSWORD) || bytes.includes(BASIC)) found.push(file);
    }
  }
  t.deepEqual(found, [], 'places holding the password or the basic-auth header');
}

async function metadata(nginx: Nginx, path: string): Promise<CatalogMetadata> {
  return JSON.parse(await readFile(join(nginx.root, path, 'metadata.json'), 'utf8')) as CatalogMetadata;
}

vagrantTest('a publish to nginx over HTTP PUT with basic auth is installed by vagrant box add, and a tampered checksum is refused', async (t) => {
  t.timeout(240_000);
  const { dir, nginx } = await setup(t);
  const outputs: string[] = [];
  for (const version of ['1.0.0', '1.1.0']) {
    const box = await fakeBox(join(dir, `out-${version}`), { version });
    const r = await cli(['publish', box.path, '--catalog-url', `${nginx.url}boxes/foobar-web/`, '--json'], env);
    outputs.push(r.stdout, r.stderr);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /"noop":false/);
  }
  const meta = await metadata(nginx, 'boxes/foobar-web');
  t.deepEqual(meta.versions.map((v) => v.version), ['1.0.0', '1.1.0']);
  t.true(meta.versions.every((v) => v.providers[0]!.url.startsWith(`${nginx.url}boxes/foobar-web/${v.version}/libvirt-amd64-`)));
  const again = await cli(['publish', join(dir, 'out-1.1.0'), '--catalog-url', `${nginx.url}boxes/foobar-web/`], env);
  t.regex(again.stdout, /already published libvirt \(amd64\) 1\.1\.0/);
  outputs.push(again.stdout, again.stderr);

  const home = join(dir, 'vagrant-home');
  const metaUrl = `${nginx.url}boxes/foobar-web/metadata.json`;
  const added = await vagrant(['box', 'add', '--provider', 'libvirt', metaUrl], home);
  t.is(added.code, 0, added.output);
  t.regex((await vagrant(['box', 'list'], home)).output, /foobar-web\s+\(libvirt, 1\.1\.0/);

  const file = join(nginx.root, 'boxes/foobar-web/metadata.json');
  const tampered = JSON.parse(await readFile(file, 'utf8')) as CatalogMetadata;
  tampered.versions[1]!.providers[0]!.checksum = '0'.repeat(64);
  await writeFile(file, JSON.stringify(tampered));
  const refused = await vagrant(['box', 'add', '--provider', 'libvirt', metaUrl], join(dir, 'vagrant-home-2'));
  t.not(refused.code, 0);
  t.regex(refused.output, /checksum/i);
  await assertNoCredential(t, outputs, [nginx.root, join(dir, 'nginx')]);
});

nginxTest('a publish killed mid-upload (SIGKILL) and run again completes, without a duplicate and without metadata.json naming a missing box', async (t) => {
  t.timeout(180_000);
  const { dir, nginx } = await setup(t);
  const catalogUrl = `${nginx.url}c/`;
  const small = await fakeBox(join(dir, 'out-small'), { version: '0.9.0' });
  t.is((await cli(['publish', small.path, '--catalog-url', catalogUrl], env)).code, 0);
  const before = await readFile(join(nginx.root, 'c/metadata.json'), 'utf8');

  const big = await fakeBox(join(dir, 'out'), { version: '1.0.0', imageBytes: 160 * 1024 * 1024 });
  const run = startCli(['publish', big.path, '--catalog-url', catalogUrl, '--json'], env);
  let killedAt = -1;
  for (let i = 0; i < 20_000 && run.child.exitCode === null; i++) {
    const sizes = await Promise.all((await readdir(nginx.bodyTemp, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile()).map((e) => stat(join(e.parentPath, e.name)).then((s) => s.size, () => 0)));
    if (sizes.some((s) => s > 1024 * 1024)) {
      killedAt = Math.max(...sizes);
      run.child.kill('SIGKILL');
      break;
    }
    await sleep(2);
  }
  const killed = await run.done;
  t.is(killed.signal, 'SIGKILL', `the upload was caught in flight (${killedAt} bytes had arrived)`);
  t.true(killedAt < (await stat(big.path)).size);
  await sleep(200);
  t.is(await readFile(join(nginx.root, 'c/metadata.json'), 'utf8'), before, 'metadata.json untouched by the killed run');
  t.deepEqual(await readdir(join(nginx.root, 'c')).then((l) => l.filter((n) => n === '1.0.0')), [], 'no partial box was left in place');

  const rerun = await cli(['publish', big.path, '--catalog-url', catalogUrl, '--json'], env);
  t.is(rerun.code, 0, rerun.stderr);
  const meta = await metadata(nginx, 'c');
  t.deepEqual(meta.versions.map((v) => `${v.version}:${v.providers.length}`), ['0.9.0:1', '1.0.0:1']);
  for (const v of meta.versions) {
    const path = join(nginx.root, new URL(v.providers[0]!.url).pathname);
    const digest = createHash('sha256').update(await readFile(path)).digest('hex');
    t.is(digest, v.providers[0]!.checksum, `${v.version}: the box metadata.json names is there, whole`);
  }
  t.deepEqual(await readdir(join(nginx.root, 'c/1.0.0')), [`libvirt-amd64-${big.sha256.slice(0, 16)}.box`], 'one box, no duplicate');
  await assertNoCredential(t, [killed.stdout, killed.stderr, rerun.stdout, rerun.stderr], [join(dir, 'nginx')]);
});

nginxTest('two publishes of two providers started together both end in metadata.json (nginx ignores If-Match: they take turns under a MKCOL lock)', async (t) => {
  t.timeout(180_000);
  const { dir, nginx } = await setup(t);
  const libvirt = await fakeBox(join(dir, 'out'), { provider: 'libvirt' });
  const vbox = await fakeBox(join(dir, 'out'), { provider: 'virtualbox' });
  for (let round = 0; round < 4; round++) {
    const url = `${nginx.url}r${round}/`;
    const [a, b] = await Promise.all([cli(['publish', libvirt.path, '--catalog-url', url], env), cli(['publish', vbox.path, '--catalog-url', url], env)]);
    t.is(a.code, 0, a.stderr);
    t.is(b.code, 0, b.stderr);
    t.regex(a.stderr + b.stderr, /ignores If-Match on PUT; publishes take turns under the lock/);
    const meta = await metadata(nginx, `r${round}`);
    t.deepEqual(meta.versions[0]!.providers.map((p) => p.name), ['libvirt', 'virtualbox'], `round ${round}`);
    t.deepEqual((await readdir(join(nginx.root, `r${round}`))).sort(), ['.boxwright-probe', '1.0.0', 'metadata.json'].filter((n) => n !== '.boxwright-probe'), 'probe and lock removed');
  }
});

nginxTest('a server that ignores If-Match and allows no MKCOL is refused with the fix named, and nothing is uploaded; --single-writer publishes', async (t) => {
  t.timeout(60_000);
  const { dir, nginx } = await setup(t, 'PUT');
  const box = await fakeBox(join(dir, 'out'));
  const refused = await cli(['publish', box.path, '--catalog-url', `${nginx.url}x/`], env);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /cannot make the write of metadata\.json conditional.*dav_methods PUT DELETE MKCOL.*--single-writer/s);
  t.deepEqual(await readdir(join(nginx.root, 'x')), ['.boxwright-probe'], 'only the probe (DELETE is not allowed there either)');
  const single = await cli(['publish', box.path, '--catalog-url', `${nginx.url}x/`, '--single-writer'], env);
  t.is(single.code, 0, single.stderr);
  t.regex(single.stderr, /unguarded \(--single-writer\)/);
  t.is((await metadata(nginx, 'x')).versions[0]!.providers[0]!.checksum, box.sha256);
});

nginxTest('wrong credentials are refused with a hint naming the env vars, and the password is in no message', async (t) => {
  const { dir, nginx } = await setup(t);
  const box = await fakeBox(join(dir, 'out'));
  const r = await cli(['publish', box.path, '--catalog-url', `${nginx.url}x/`], { ...env, BOXWRIGHT_PUBLISH_PASSWORD: 'wrong-Pw-998877' });
  t.is(r.code, 1);
  t.regex(r.stderr, /HTTP 401.*BOXWRIGHT_PUBLISH_USER and BOXWRIGHT_PUBLISH_PASSWORD/s);
  t.notRegex(r.stderr, /wrong-Pw-998877/);
  const withUser = await cli(['publish', box.path, '--catalog-url', `http://${USER}:${PASSWORD}@127.0.0.1:1/x/`], env);
  t.is(withUser.code, 2, 'credentials in --catalog-url are refused (argv is visible to every user)');
  t.notRegex(withUser.stderr, new RegExp(PASSWORD));
});
