import test from 'ava';
import { UBUNTU_2404 } from '../../lib/base/ubuntu.js';
import { BASES, isMirrorBase, planBase as templateBase } from '../../lib/plan/bases.js';
import { BASE_NAMES } from '../../lib/image/rules.js';
import { CHROOT_BASES } from '../../lib/image/spec-rules.js';
import type { BaseName } from '../../lib/image/types.js';
import { mirrorBasePaths } from '../../lib/plan/layout.js';
import { validateImage } from '../../lib/image/validate.js';

const SHA = 'c'.repeat(64);
const specWith = (base: unknown, dir = '/srv/images/foobar-web') => validateImage({ name: 'foobar-web', version: '1.0.0', base }, dir);

test('the debian base comes from the mirror-bootstrapped disk in the build folder', (t) => {
  const base = templateBase(specWith('debian-12'));
  t.deepEqual(base, {
    os: 'debian-12', family: 'debian', source: 'mirror', diskPathOrUrl: 'base/debian-12.qcow2', checksum: 'file:base/debian-12.qcow2.sha256',
    ovfPathOrUrl: 'base/debian-12.ova', ovfChecksum: 'file:base/debian-12.ova.sha256', rootfsTar: 'base/debian-12.rootfs.tar',
    mirror: { mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security', suite: 'bookworm', packages: 'debian-12-packages.txt', sourcesFormat: 'list' },
  });
  t.deepEqual(mirrorBasePaths('debian-12'), { disk: base.diskPathOrUrl, diskSha256: 'base/debian-12.qcow2.sha256', rootfsTar: 'base/debian-12.rootfs.tar' });
});

test('the ubuntu base is the pinned, dated cloud image with its digest, and the .ova beside it', (t) => {
  const base = templateBase(specWith('ubuntu-24.04'));
  t.is(base.source, 'cloud-image');
  t.is(base.diskPathOrUrl, UBUNTU_2404.url);
  t.is(base.checksum, `sha256:${UBUNTU_2404.sha256}`);
  t.is(base.ovfPathOrUrl, UBUNTU_2404.url.replace(/\.img$/, '.ova'));
  t.is(base.ovfChecksum, `file:${UBUNTU_2404.checksumUrl}`);
  t.notRegex(base.diskPathOrUrl, /\/(release|current)\//, 'a moving alias is never pinned');
});

test('a base override wins over the spec', (t) => {
  t.is(templateBase(specWith('ubuntu-24.04'), 'debian-12').os, 'debian-12');
});

test('a custom base over https is used as given, checked by its sha256', (t) => {
  const base = templateBase(specWith({ image: 'https://example.org/disk.qcow2', sha256: SHA }));
  t.deepEqual([base.source, base.os, base.diskPathOrUrl, base.checksum], ['custom', 'debian-12', 'https://example.org/disk.qcow2', `sha256:${SHA}`]);
});

test('a custom base path resolves against the image folder', (t) => {
  t.is(templateBase(specWith({ image: 'disks/base.qcow2', sha256: SHA })).diskPathOrUrl, '/srv/images/foobar-web/disks/base.qcow2');
  t.is(templateBase(specWith({ image: '/var/lib/disk.qcow2', sha256: SHA })).diskPathOrUrl, '/var/lib/disk.qcow2');
});

// A gap once reported: the base mapping resolved the path through a file: URL and kept its
// percent-encoded pathname, so a space becomes %20 and a '#' starts a fragment.
test('a custom base path resolves against an image folder whose name holds a space or #', (t) => {
  t.is(templateBase(specWith({ image: 'disks/base.qcow2', sha256: SHA }, '/srv/my images/#1')).diskPathOrUrl, '/srv/my images/#1/disks/base.qcow2');
});

test('debian-13 is a mirror base of its own (trixie, deb822 sources), linked into the build folder like debian-12', (t) => {
  const base = templateBase(specWith('debian-13'));
  t.deepEqual(base, {
    os: 'debian-13', family: 'debian', source: 'mirror', diskPathOrUrl: 'base/debian-13.qcow2', checksum: 'file:base/debian-13.qcow2.sha256',
    ovfPathOrUrl: 'base/debian-13.ova', ovfChecksum: 'file:base/debian-13.ova.sha256', rootfsTar: 'base/debian-13.rootfs.tar',
    mirror: { mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security', suite: 'trixie', packages: 'debian-13-packages.txt', sourcesFormat: 'deb822' },
  });
  t.is(templateBase(specWith('ubuntu-24.04'), 'debian-13').os, 'debian-13');
});

test('the spec rules name exactly the mirror rows of the base table as chroot-capable', (t) => {
  t.deepEqual([...CHROOT_BASES].sort(), (Object.keys(BASES) as BaseName[]).filter(isMirrorBase).sort());
  t.deepEqual([...BASE_NAMES].sort(), Object.keys(BASES).sort());
});
