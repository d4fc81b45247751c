import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { base, linkMirrorBase } from '../../../lib/builder/steps/base.js';
import { stateFor, tempDir } from './helpers.js';

test('a cloud-image base needs no base step: nothing is built and no phase is announced', async (t) => {
  const state = await stateFor('/nonexistent', { plan: { base: 'ubuntu-24.04' } });
  await base.run(state);
  t.is(state.base, undefined);
  t.deepEqual(state.events, []);
});

test('a mirror base is linked into the build folder where the template expects it, with its sha256 file', async (t) => {
  const dir = await tempDir(t);
  await linkMirrorBase(dir, { os: 'debian-12', source: 'mirror', diskPathOrUrl: '/cache/disk.qcow2', checksum: `sha256:${'a'.repeat(64)}`, rootfsTar: '/cache/rootfs.tar' });
  t.is(await readlink(path.join(dir, 'base/debian-12.qcow2')), '/cache/disk.qcow2');
  t.is(await readlink(path.join(dir, 'base/debian-12.rootfs.tar')), '/cache/rootfs.tar');
  t.is(await readFile(path.join(dir, 'base/debian-12.qcow2.sha256'), 'utf8'), `${'a'.repeat(64)}  debian-12.qcow2\n`);
});
