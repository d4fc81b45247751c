import test from 'ava';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isBoxwrightError } from '../../lib/errors.js';
import { checkLock, compareLock, LOCK_FILE, readLock, resolveLock, UBUNTU_NODEJS_UNKNOWN, writeLock } from '../../lib/lock/index.js';
import { UBUNTU_2404 } from '../../lib/base/ubuntu.js';
import { loadImage } from '../../lib/image/load.js';
import { copyStackImage, fakePacker } from './helpers.js';

// These tests resolve for real: packer on PATH, the Debian mirror over HTTP and the host's apt-get.

test('resolving the debian-12 lock twice gives the same lock', async (t) => {
  const spec = await loadImage(await copyStackImage(t));
  const first = await resolveLock(spec, { base: 'debian-12' });
  const second = await resolveLock(spec, { base: 'debian-12' });
  t.deepEqual(second, first);
  t.is(first.base.source, 'mirror');
  if (first.base.source !== 'mirror') return;
  t.regex(first.base.recipeHash, /^[0-9a-f]{64}$/);
  t.is(first.base.suite, 'bookworm');
  t.regex(first.base.mirrorReleaseDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  t.regex(first.base.securityReleaseDate, /^\d{4}-\d\d-\d\dT/);
  t.regex(first.guest.nodejs, /^\d+\.\d+\.\d+/, 'a Debian nodejs version, read from the mirror with apt');
  t.regex(first.packer.version, /^\d+\.\d+\.\d+/);
  t.is(first.app.lockfileVersion, 3);
  t.regex(first.app.dependencies.mysql2 ?? '', /^\d+\.\d+\.\d+$/);
});

test('the debian-13 lock records trixie, its Release dates, its own recipe hash and nodejs 20 from the mirror', async (t) => {
  const spec = await loadImage(await copyStackImage(t));
  const thirteen = await resolveLock(spec, { base: 'debian-13' });
  const twelve = await resolveLock(spec, { base: 'debian-12' });
  t.is(thirteen.base.source, 'mirror');
  if (thirteen.base.source !== 'mirror' || twelve.base.source !== 'mirror') return;
  t.is(thirteen.base.os, 'debian-13');
  t.is(thirteen.base.suite, 'trixie');
  t.is(thirteen.base.securitySuite, 'trixie-security');
  t.regex(thirteen.base.mirrorReleaseDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  t.regex(thirteen.base.securityReleaseDate, /^\d{4}-\d\d-\d\dT/);
  t.not(thirteen.base.recipeHash, twelve.base.recipeHash);
  t.regex(thirteen.guest.nodejs, /^20\.\d+\.\d+/, `trixie's nodejs is 20.x (got ${thirteen.guest.nodejs})`);
  t.true(thirteen.guest.nodejsSources.every((line) => / trixie(-updates|-security)? main$/.test(line)));
});

test('the ubuntu lock pins the dated cloud image and says the snapshot and nodejs were not read here', async (t) => {
  const spec = await loadImage(await copyStackImage(t));
  const lock = await resolveLock(spec, { base: 'ubuntu-24.04' });
  t.is(lock.base.source, 'cloud-image');
  if (lock.base.source !== 'cloud-image') return;
  t.is(lock.base.url, UBUNTU_2404.url);
  t.is(lock.base.sha256, UBUNTU_2404.sha256);
  t.is(lock.base.release, `release-${UBUNTU_2404.release}`);
  t.is(lock.base.aptSnapshot, `https://snapshot.ubuntu.com/ubuntu/${UBUNTU_2404.release}T000000Z`);
  t.regex(lock.base.aptSnapshotNote, /not verified/);
  t.is(lock.guest.nodejs, UBUNTU_NODEJS_UNKNOWN);
});

test('a custom base is locked by its image and sha256 as the spec writes them', async (t) => {
  const dir = await copyStackImage(t);
  const specFile = path.join(dir, 'image.json');
  const json = JSON.parse(await readFile(specFile, 'utf8')) as Record<string, unknown>;
  json.base = { image: 'disks/my.qcow2', sha256: 'ab'.repeat(32), os: 'debian-12' };
  json.providers = ['libvirt'];
  await writeFile(specFile, JSON.stringify(json));
  const lock = await resolveLock(await loadImage(dir));
  t.deepEqual(lock.base, { os: 'debian-12', source: 'custom', image: 'disks/my.qcow2', sha256: 'ab'.repeat(32) });
  t.regex(lock.guest.nodejs, /^unknown/);
});

test('a changed disk size shows up as a changed recipe hash', async (t) => {
  const dir = await copyStackImage(t);
  const before = await resolveLock(await loadImage(dir), { base: 'debian-12' });
  const specFile = path.join(dir, 'image.json');
  const json = JSON.parse(await readFile(specFile, 'utf8')) as Record<string, unknown>;
  json.vm = { diskSize: 10240 };
  await writeFile(specFile, JSON.stringify(json));
  const after = await resolveLock(await loadImage(dir), { base: 'debian-12' });
  t.deepEqual(compareLock(before, after).map((m) => m.path), ['base.recipeHash']);
});

test('another packer version is a mismatch of packer.version', async (t) => {
  const spec = await loadImage(await copyStackImage(t));
  const real = await resolveLock(spec, { base: 'ubuntu-24.04' });
  const other = await resolveLock(spec, { base: 'ubuntu-24.04', packerPath: await fakePacker(t, '1.9.4') });
  const mismatches = compareLock(real, other);
  t.true(mismatches.some((m) => m.path === 'packer.version' && m.expected === real.packer.version && m.actual === '1.9.4'));
  t.true(mismatches.some((m) => m.path === 'packer.plugins.qemu' && m.actual === '1.1.6'), 'packer 1.9 pins its plugins');
});

test('a change in the app is a mismatch of its source hash only', async (t) => {
  const dir = await copyStackImage(t);
  const before = await resolveLock(await loadImage(dir), { base: 'ubuntu-24.04' });
  await appendFile(path.join(dir, 'app', 'server.js'), '\n// a change\n');
  const after = await resolveLock(await loadImage(dir), { base: 'ubuntu-24.04' });
  const mismatches = compareLock(before, after);
  t.deepEqual(mismatches.map((m) => m.path), ['app.sourceHash']);
});

test('a new app dependency is reported by name', async (t) => {
  const dir = await copyStackImage(t);
  const before = await resolveLock(await loadImage(dir), { base: 'ubuntu-24.04' });
  const lockFile = path.join(dir, 'app', 'package-lock.json');
  const npmLock = JSON.parse(await readFile(lockFile, 'utf8')) as { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
  npmLock.packages['']!.dependencies = { ...npmLock.packages['']!.dependencies, 'left-pad': '1.3.0' };
  npmLock.packages['node_modules/left-pad'] = { version: '1.3.0' };
  await writeFile(lockFile, JSON.stringify(npmLock, null, 2));
  const after = await resolveLock(await loadImage(dir), { base: 'ubuntu-24.04' });
  const paths = compareLock(before, after).map((m) => m.path);
  t.deepEqual(paths, ['app.dependencies.left-pad', 'app.sourceHash']);
});

test('writeLock writes the lock beside image.json and readLock reads it back', async (t) => {
  const dir = await copyStackImage(t);
  const spec = await loadImage(dir);
  t.is(await readLock(dir), undefined);
  const lock = await resolveLock(spec, { base: 'ubuntu-24.04' });
  const file = await writeLock(dir, lock);
  t.is(file, path.join(dir, LOCK_FILE));
  t.true((await stat(file)).isFile());
  t.deepEqual(await readLock(dir), lock);
  t.deepEqual(await readLock(path.join(dir, 'image.json')), lock);
});

test('a lock file that is not JSON is refused with the fix', async (t) => {
  const dir = await copyStackImage(t);
  await writeFile(path.join(dir, LOCK_FILE), '{ not json');
  const error = await t.throwsAsync(readLock(dir));
  t.true(isBoxwrightError(error, 'E_SPEC_READ'));
  t.regex(error?.message ?? '', /boxwright lock/);
});

test('checkLock allows a build without a lock, returns a matching lock, and refuses a changed input naming the field and the fix', async (t) => {
  const dir = await copyStackImage(t);
  const spec = await loadImage(dir);
  t.is(await checkLock(spec, { base: 'ubuntu-24.04' }), undefined, 'no lock file: nothing to check');
  const lock = await resolveLock(spec, { base: 'ubuntu-24.04' });
  await writeLock(dir, lock);
  t.deepEqual(await checkLock(spec, { base: 'ubuntu-24.04' }), lock);

  await appendFile(path.join(dir, 'app', 'server.js'), '\n// a change\n');
  const error = await t.throwsAsync(checkLock(spec, { base: 'ubuntu-24.04' }));
  t.true(isBoxwrightError(error, 'E_LOCK_MISMATCH'));
  t.regex(error?.message ?? '', /app\.sourceHash: lock has "[0-9a-f]{64}", now "[0-9a-f]{64}"/);
  t.regex(error?.message ?? '', /boxwright lock .* --update/);
  t.regex(error?.message ?? '', /--update-lock/);
});
