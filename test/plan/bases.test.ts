import test from 'ava';
import { UBUNTU_2404 } from '../../lib/base/ubuntu.js';
import { planBase as templateBase } from '../../lib/plan/bases.js';
import { mirrorBasePaths } from '../../lib/plan/layout.js';
import { validateImage } from '../../lib/image/validate.js';

const SHA = 'c'.repeat(64);
const specWith = (base: unknown, dir = '/srv/images/foobar-web') => validateImage({ name: 'foobar-web', version: '1.0.0', base }, dir);

test('the debian base comes from the mirror-bootstrapped disk in the build folder', (t) => {
  const base = templateBase(specWith('debian-12'));
  t.deepEqual(base, {
    os: 'debian-12', family: 'debian', source: 'mirror', diskPathOrUrl: 'base/debian-12.qcow2', checksum: 'file:base/debian-12.qcow2.sha256',
    ovfPathOrUrl: 'base/debian-12.ova', ovfChecksum: 'file:base/debian-12.ova.sha256', rootfsTar: 'base/debian-12.rootfs.tar',
    mirror: { mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security', suite: 'bookworm' },
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
