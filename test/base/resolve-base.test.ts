import { spawnSync } from 'node:child_process';
import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveBase, ubuntuSeed, UBUNTU_2404, vagrantInsecurePublicKey } from '../../lib/base/index.js';
import { isBoxwrightError } from '../../lib/errors.js';
import { findVagrantPrivateKey } from '../helpers/vm.js';
import { fixture, tempDir } from './helpers.js';

/** A custom base as a hand-written spec may hold it, before the schema's default fills `os`. */
type CustomBase = Extract<Parameters<typeof resolveBase>[0]['base'], { image: string }>;

test('resolveBase describes ubuntu-24.04 as the pinned, dated cloud image without downloading', async (t) => {
  const base = await resolveBase({ base: 'ubuntu-24.04', dir: '/nonexistent' });
  t.is(base.os, 'ubuntu-24.04');
  t.is(base.source, 'cloud-image');
  t.regex(base.diskPathOrUrl, /^https:\/\/cloud-images\.ubuntu\.com\/releases\/noble\/release-\d{8}\/ubuntu-24\.04-server-cloudimg-amd64\.img$/);
  t.is(base.diskPathOrUrl, UBUNTU_2404.url);
  t.regex(base.checksum, /^sha256:[0-9a-f]{64}$/);
  t.is(base.rootfsTar, undefined);
  t.true(UBUNTU_2404.checksumUrl.startsWith(path.posix.dirname(UBUNTU_2404.url)));
});

test('resolveBase resolves a custom local image relative to the spec folder', async (t) => {
  const sha256 = 'A'.repeat(64);
  const base = await resolveBase({ base: { image: 'disks/my.qcow2', sha256, os: 'ubuntu-24.04' }, dir: '/srv/images/web' });
  t.deepEqual(base, { os: 'ubuntu-24.04', source: 'custom', diskPathOrUrl: '/srv/images/web/disks/my.qcow2', checksum: `sha256:${'a'.repeat(64)}` });
});

test('resolveBase keeps a custom URL as it is and defaults its os to debian-12', async (t) => {
  const base = await resolveBase({ base: { image: 'https://example.test/d.qcow2', sha256: 'b'.repeat(64) } as CustomBase, dir: '/x' });
  t.is(base.diskPathOrUrl, 'https://example.test/d.qcow2');
  t.is(base.os, 'debian-12');
  t.is(base.source, 'custom');
});

test('resolveBase rejects a custom base without a valid sha256, naming the field', async (t) => {
  const error = await t.throwsAsync(resolveBase({ base: { image: 'a.qcow2', sha256: 'abc' } as CustomBase, dir: '/x' }));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'));
  t.is((error as { path?: string }).path, 'base.sha256');
});

test('resolveBase builds debian-12 through the verified cache, sized by the spec', async (t) => {
  const cacheDir = await tempDir(t);
  const spec = { base: 'debian-12' as const, dir: '/x', vm: { diskSize: 2048 } };
  const first = await resolveBase(spec, { cacheDir, scriptsDir: fixture('fake-ok'), hostCheck: false });
  t.is(first.os, 'debian-12');
  t.is(first.source, 'mirror');
  t.true(path.isAbsolute(first.diskPathOrUrl));
  t.regex(first.checksum, /^sha256:[0-9a-f]{64}$/);
  t.truthy(first.rootfsTar);
  t.false(first.cached);
  t.regex(await readFile(first.rootfsTar!, 'utf8'), /^rootfs /);
  const second = await resolveBase(spec, { cacheDir, scriptsDir: fixture('fake-ok'), hostCheck: false });
  t.true(second.cached);
  t.is(second.checksum, first.checksum);
});

test('resolveBase builds debian-13 as its own mirror base', async (t) => {
  const cacheDir = await tempDir(t);
  const twelve = await resolveBase({ base: 'debian-12', dir: '/x', vm: { diskSize: 2048 } }, { cacheDir, scriptsDir: fixture('fake-ok'), hostCheck: false });
  const thirteen = await resolveBase({ base: 'debian-13', dir: '/x', vm: { diskSize: 2048 } }, { cacheDir, scriptsDir: fixture('fake-ok'), hostCheck: false });
  t.is(thirteen.os, 'debian-13');
  t.is(thirteen.source, 'mirror');
  t.not(thirteen.recipeHash, twelve.recipeHash);
  t.regex(await readFile(thirteen.rootfsTar!, 'utf8'), /--suite trixie /);
});

test('ubuntuSeed creates the vagrant user with the insecure key and passwordless sudo', (t) => {
  const seed = ubuntuSeed({ hostname: 'www', instanceId: 'build-1' });
  const userData = seed['user-data'];
  t.true(userData.startsWith('#cloud-config\n'));
  t.regex(userData, /- name: vagrant\n/);
  t.regex(userData, /sudo: "ALL=\(ALL\) NOPASSWD:ALL"/);
  t.regex(userData, /lock_passwd: true/);
  t.true(userData.includes(vagrantInsecurePublicKey()));
  t.is(seed['meta-data'], 'instance-id: build-1\nlocal-hostname: www\n');
});

test('ubuntuSeed refuses a hostname that could break the YAML', (t) => {
  t.throws(() => ubuntuSeed({ hostname: 'a\nb: c' }), { instanceOf: TypeError });
});

const hasVagrant = spawnSync('vagrant', ['--version']).status === 0;

(hasVagrant ? test : test.skip)('the shipped insecure public key is the one of the host vagrant package', async (t) => {
  const privateKey = await findVagrantPrivateKey();
  if (privateKey === undefined) return t.fail('vagrant is installed but its insecure key was not found');
  const hostPub = (await readFile(`${privateKey}.pub`, 'utf8')).trim();
  t.is(vagrantInsecurePublicKey(), hostPub);
});
