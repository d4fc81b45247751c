import test from 'ava';
import { compareLock, formatMismatch } from '../../lib/lock/compare.js';
import { lockText } from '../../lib/lock/file.js';
import { parsePolicyCandidate } from '../../lib/lock/apt.js';
import type { Lock } from '../../lib/lock/types.js';

function sampleLock(): Lock {
  return {
    format: 1,
    base: {
      os: 'debian-12', source: 'mirror', recipeHash: 'a'.repeat(64), mirror: 'http://deb.debian.org/debian', suite: 'bookworm',
      mirrorReleaseDate: '2026-07-11T10:16:37.000Z', securityMirror: 'http://deb.debian.org/debian-security',
      securitySuite: 'bookworm-security', securityReleaseDate: '2026-11-24T00:34:33.000Z',
    },
    packer: { version: '1.6.6', plugins: {} },
    guest: { nodejs: '18.20.4+dfsg-1~deb12u3', nodejsSources: ['deb http://deb.debian.org/debian bookworm main'] },
    app: { source: 'app', sourceHash: 'b'.repeat(64), lockfileVersion: 3, dependencies: { mysql2: '3.24.6' } },
  };
}

test('identical locks have no mismatches', (t) => {
  t.deepEqual(compareLock(sampleLock(), sampleLock()), []);
});

test('a changed recipe hash is one mismatch with the locked and the current value', (t) => {
  const actual = sampleLock();
  if (actual.base.source === 'mirror') actual.base.recipeHash = 'c'.repeat(64);
  t.deepEqual(compareLock(sampleLock(), actual), [{ path: 'base.recipeHash', expected: 'a'.repeat(64), actual: 'c'.repeat(64) }]);
});

test('plugins added by a newer packer are reported by their own paths, not as a replaced object', (t) => {
  const actual = sampleLock();
  actual.packer = { version: '1.11.2', plugins: { qemu: '1.1.6', vagrant: '1.1.6' } };
  t.deepEqual(compareLock(sampleLock(), actual).map((m) => m.path), ['packer.plugins.qemu', 'packer.plugins.vagrant', 'packer.version']);
});

test('a base switched from the mirror to the cloud image lists the fields that came and went', (t) => {
  const actual = sampleLock();
  actual.base = { os: 'ubuntu-24.04', source: 'cloud-image', url: 'https://x/y.img', sha256: 'd'.repeat(64), release: 'release-20251213', checksumUrl: 'https://x/SHA256SUMS', aptSnapshot: 'https://snapshot.ubuntu.com/ubuntu/20251213T000000Z', aptSnapshotNote: 'planned' };
  const paths = compareLock(sampleLock(), actual).map((m) => m.path);
  t.true(paths.includes('base.os'));
  t.true(paths.includes('base.recipeHash'));
  t.true(paths.includes('base.url'));
});

test('a mismatch line shows both values, and an absent one as (absent)', (t) => {
  t.is(formatMismatch({ path: 'packer.version', expected: '1.6.6', actual: '1.7.0' }), 'packer.version: lock has "1.6.6", now "1.7.0"');
  t.is(formatMismatch({ path: 'app.dependencies.left-pad', expected: undefined, actual: '1.3.0' }), 'app.dependencies.left-pad: lock has (absent), now "1.3.0"');
});

test('the lock text has a stable key order whatever order the object was built in', (t) => {
  const lock = sampleLock();
  const reordered = JSON.parse(JSON.stringify({ app: lock.app, guest: lock.guest, packer: lock.packer, base: lock.base, format: 1 })) as Lock;
  t.is(lockText(reordered), lockText(lock));
  t.true(lockText(lock).startsWith('{\n  "format": 1,\n'));
  t.true(lockText(lock).endsWith('}\n'));
});

test('the apt candidate is read from apt-cache policy output, and (none) is no candidate', (t) => {
  t.is(parsePolicyCandidate('nodejs:\n  Installed: (none)\n  Candidate: 18.20.4+dfsg-1~deb12u3\n  Version table:\n'), '18.20.4+dfsg-1~deb12u3');
  t.is(parsePolicyCandidate('nodejs:\n  Installed: (none)\n  Candidate: (none)\n'), undefined);
  t.is(parsePolicyCandidate(''), undefined);
});
