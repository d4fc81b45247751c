import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import test from 'ava';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { publishToStore } from '../../lib/publish/catalog.js';
import type { CatalogMetadata } from '../../lib/publish/catalog-metadata.js';
import { S3Store } from '../../lib/publish/store-s3.js';
import { cli, hasVagrant, startCli, vagrant } from './cli-run.js';
import { fakeBox, tempDir } from './helpers.js';
import { S3RVER_ENV, startConditionalProxy, startS3rver, type ConditionalProxy, type S3rver } from './s3-server.js';

// s3rver 3.7.1 (npm devDependency) is an S3 *emulator*, not AWS. It ignores IfMatch / IfNoneMatch
// on PutObject (found out here: its PUT object handler reads no precondition), so the catalog
// tests reach it through a real HTTP proxy that enforces them as AWS S3 does; one test shows the
// refusal straight against s3rver.
const SESSION = 'sess-T0ken-s3-5566aabb';

async function setup(t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ dir: string; s3: S3rver; proxy: ConditionalProxy; env: NodeJS.ProcessEnv }> {
  const { dir, cleanup } = await tempDir('bw-publish-s3-');
  const s3 = await startS3rver(join(dir, 's3rver'));
  const proxy = await startConditionalProxy(s3.port);
  t.teardown(async () => {
    await proxy.stop();
    await s3.stop();
    await cleanup();
  });
  const env = { ...process.env, ...S3RVER_ENV, AWS_SESSION_TOKEN: SESSION, AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_REGION: '', AWS_PROFILE: '', BOXWRIGHT_DEBUG: '1' };
  return { dir, s3, proxy, env };
}

function client(endpoint: string): S3Client {
  return new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
}

async function getText(endpoint: string, key: string): Promise<string> {
  const r = await client(endpoint).send(new GetObjectCommand({ Bucket: 'boxes', Key: key }));
  return (await r.Body?.transformToString()) ?? '';
}

async function sha256Of(endpoint: string, key: string): Promise<string> {
  const r = await client(endpoint).send(new GetObjectCommand({ Bucket: 'boxes', Key: key }));
  return createHash('sha256').update(Buffer.from((await r.Body?.transformToByteArray()) ?? [])).digest('hex');
}

async function keys(endpoint: string, prefix: string): Promise<string[]> {
  const r = await client(endpoint).send(new ListObjectsV2Command({ Bucket: 'boxes', Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key ?? '').sort();
}

const vagrantTest = (await hasVagrant()) ? test.serial : test.serial.skip;

vagrantTest('[s3rver] a publish through the AWS SDK is installed by vagrant box add, a tampered checksum is refused, no credential leaks', async (t) => {
  t.timeout(240_000);
  const { dir, s3, env } = await setup(t);
  const box = await fakeBox(join(dir, 'out'));
  const base = `${s3.endpoint}/boxes/foobar-web/`;
  const r = await cli(['publish', box.path, '--catalog-url', 's3://boxes/foobar-web/', '--base-url', base, '--json'], env);
  t.is(r.code, 0, r.stderr);
  const meta = JSON.parse(await getText(s3.endpoint, 'foobar-web/metadata.json')) as CatalogMetadata;
  t.is(meta.versions[0]!.providers[0]!.checksum, box.sha256);
  const home = join(dir, 'vagrant-home');
  const added = await vagrant(['box', 'add', '--provider', 'libvirt', `${base}metadata.json`], home);
  t.is(added.code, 0, added.output);
  t.regex((await vagrant(['box', 'list'], home)).output, /foobar-web\s+\(libvirt, 1\.0\.0/);

  meta.versions[0]!.providers[0]!.checksum = '0'.repeat(64);
  const store = new S3Store({ url: 's3://boxes/foobar-web/', env: { ...env, AWS_ENDPOINT_URL_S3: s3.endpoint }, singleWriter: true });
  await store.prepare();
  t.true(await store.commit(await store.read(), JSON.stringify(meta)));
  const refused = await vagrant(['box', 'add', '--provider', 'libvirt', `${base}metadata.json`], join(dir, 'vagrant-home-2'));
  t.not(refused.code, 0);
  t.regex(refused.output, /checksum/i);

  const leaks: string[] = [];
  for (const text of [r.stdout, r.stderr]) if (text.includes(SESSION)) leaks.push('output');
  for (const entry of await readdir(join(dir, 's3rver'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && (await readFile(join(entry.parentPath, entry.name))).includes(SESSION)) leaks.push(entry.name);
  }
  t.deepEqual(leaks, []);
});

test.serial('[s3rver] a 72 MiB box goes up in parts; killed mid-upload (SIGKILL), the re-run sends only the missing parts and completes', async (t) => {
  t.timeout(300_000);
  const { dir, s3, env } = await setup(t);
  const box = await fakeBox(join(dir, 'out'), { imageBytes: 72 * 1024 * 1024 });
  t.true((await stat(box.path)).size > 64 * 1024 * 1024);
  const args = ['publish', box.path, '--catalog-url', 's3://boxes/c/', '--base-url', `${s3.endpoint}/boxes/c/`, '--json'];
  const first = startCli(args, env);
  let stateFile: string | undefined;
  for (let i = 0; i < 30_000 && first.child.exitCode === null; i++) {
    const name = (await readdir(join(dir, 'out'))).find((f) => f.endsWith('.upload.json'));
    if (name) {
      const state = JSON.parse(await readFile(join(dir, 'out', name), 'utf8').catch(() => '{"parts":{}}')) as { parts: Record<string, string> };
      if (Object.keys(state.parts).length >= 1) {
        first.child.kill('SIGKILL');
        stateFile = join(dir, 'out', name);
        break;
      }
    }
    await sleep(5);
  }
  const killed = await first.done;
  t.is(killed.signal, 'SIGKILL', 'killed while parts were still to send');
  t.deepEqual(await keys(s3.endpoint, 'c/'), ['c/.boxwright-probe'].filter(() => false), 'no object and no metadata.json yet');
  const rerun = await cli(args, env);
  t.is(rerun.code, 0, rerun.stderr);
  t.regex(rerun.stdout + rerun.stderr, /resuming the upload of 1\.0\.0\/libvirt-amd64-[0-9a-f]{16}\.box: [1-4] of 5 parts already sent/);
  const meta = JSON.parse(await getText(s3.endpoint, 'c/metadata.json')) as CatalogMetadata;
  const key = `c/${new URL(meta.versions[0]!.providers[0]!.url).pathname.replace('/boxes/c/', '')}`;
  t.is(await sha256Of(s3.endpoint, key), box.sha256, 'the object metadata.json names is the whole box');
  t.deepEqual(await keys(s3.endpoint, 'c/'), [key, 'c/metadata.json'].sort(), 'one box, no duplicate');
  await t.throwsAsync(stat(stateFile ?? ''), undefined, 'the upload state is removed once complete');
});

test.serial('[s3rver] two publishes of two providers started together both end in metadata.json', async (t) => {
  t.timeout(180_000);
  const { dir, s3, env } = await setup(t);
  const libvirt = await fakeBox(join(dir, 'out'), { provider: 'libvirt' });
  const vbox = await fakeBox(join(dir, 'out'), { provider: 'virtualbox' });
  for (let round = 0; round < 3; round++) {
    const args = (box: string) => ['publish', box, '--catalog-url', `s3://boxes/r${round}/`, '--base-url', `${s3.endpoint}/boxes/r${round}/`];
    const [a, b] = await Promise.all([cli(args(libvirt.path), env), cli(args(vbox.path), env)]);
    t.is(a.code, 0, a.stderr);
    t.is(b.code, 0, b.stderr);
    const meta = JSON.parse(await getText(s3.endpoint, `r${round}/metadata.json`)) as CatalogMetadata;
    t.deepEqual(meta.versions[0]!.providers.map((p) => p.name), ['libvirt', 'virtualbox'], `round ${round}`);
  }
});

test.serial('[s3rver] a conditional-write conflict is answered 412, re-read and merged: nobody loses an entry', async (t) => {
  t.timeout(120_000);
  const { dir, s3, proxy, env } = await setup(t);
  const url = 's3://boxes/k/';
  const baseUrl = `${s3.endpoint}/boxes/k/`;
  const amd = await fakeBox(join(dir, 'out'), { provider: 'libvirt' });
  const arm = await fakeBox(join(dir, 'arm'), { provider: 'libvirt', content: 'an arm64 disk' });
  const vb = await fakeBox(join(dir, 'vb'), { provider: 'virtualbox' });
  const store = () => new S3Store({ url, env });
  const entry = { name: 'acme/web', version: '1.0.0', baseUrl };
  await publishToStore(store(), { ...entry, box: amd.path, provider: 'libvirt' });
  // While the virtualbox publish is about to write metadata.json, "another publisher" adds arm64.
  proxy.beforeNextConditionalPut = { suffix: '/k/metadata.json', run: async () => void (await publishToStore(store(), { ...entry, box: arm.path, provider: 'libvirt', architecture: 'arm64' })) };
  const messages: string[] = [];
  await publishToStore(store(), { ...entry, box: vb.path, provider: 'virtualbox', onEvent: (e) => messages.push(e.message) });
  t.deepEqual(proxy.preconditionFailed.filter((k) => k.endsWith('metadata.json')), ['/boxes/k/metadata.json'], 'the stale write was refused once');
  t.true(messages.some((m) => /changed since it was read \(another publish\); re-reading and merging/.test(m)));
  const meta = JSON.parse(await getText(s3.endpoint, 'k/metadata.json')) as CatalogMetadata;
  t.deepEqual(meta.versions[0]!.providers.map((p) => `${p.name}/${p.architecture}${p.default_architecture ? '*' : ''}`), ['libvirt/amd64*', 'libvirt/arm64', 'virtualbox/amd64*']);
});

test.serial('[s3rver] straight against s3rver, which ignores IfMatch, a publish is refused with the reason and the fix', async (t) => {
  const { dir, s3, env } = await setup(t);
  const box = await fakeBox(join(dir, 'out'));
  const r = await cli(['publish', box.path, '--catalog-url', 's3://boxes/x/', '--base-url', `${s3.endpoint}/boxes/x/`], { ...env, AWS_ENDPOINT_URL_S3: s3.endpoint });
  t.is(r.code, 1);
  t.regex(r.stderr, /cannot do conditional writes.*s3rver.*--single-writer/s);
  t.deepEqual(await keys(s3.endpoint, 'x/'), [], 'nothing uploaded (the probe removed)');
});
