import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { runBuild } from '../../lib/builder/build-image.js';
import { loadImage } from '../../lib/image/load.js';
import { resolveLock, writeLock } from '../../lib/lock/index.js';
import { boxFileName } from '../../lib/plan/layout.js';
import { imageDir, testCacheDir } from '../render/helpers.js';
import { countingDeps, fakePacker, realPacker } from './helpers.js';

const withPacker = realPacker ? test : test.skip;

withPacker('a build plans once, asks packer its version once and reads the lock once, through every step', async (t) => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'bw-build-once-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  // An image on a custom base (no mirror base to build) with a committed lock.
  const image = path.join(work, 'image');
  await cp(imageDir, image, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const json = JSON.parse(await readFile(path.join(image, 'image.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(image, 'image.json'), JSON.stringify({ ...json, base: { image: 'https://e.test/base.qcow2', sha256: 'b'.repeat(64) } }));
  const spec = await loadImage(image);
  const packer = await fakePacker(boxFileName(spec, 'libvirt'));
  t.teardown(() => packer.remove());
  const previous = process.env.PACKER_PATH;
  process.env.PACKER_PATH = packer.path;
  t.teardown(() => { if (previous === undefined) delete process.env.PACKER_PATH; else process.env.PACKER_PATH = previous; });
  await writeLock(image, await resolveLock(spec, {}));
  await packer.clear();

  const outDir = path.join(work, 'out');
  const { deps, calls } = countingDeps();
  const result = await runBuild(spec, { outDir, provider: 'libvirt', kind: 'vm', accelerator: 'tcg', cacheDir: testCacheDir }, deps);
  t.false(result.cached);
  t.deepEqual(calls, { planBuild: 1, packerSession: 1, readLock: 1 });
  const invoked = (await packer.invocations()).map((line) => line.split(' ')[0]);
  t.deepEqual(invoked, ['version', 'validate', 'build'], 'packer is asked its version once, then validates and builds');
  t.deepEqual((await readdir(outDir)).sort(), [path.basename(result.box), `${path.basename(result.box)}.sha256`, 'build-manifest.json', 'lab.json'].sort());

  // A second build is a cache hit: planned once again, packer asked its version once, never run.
  await packer.clear();
  const again = countingDeps();
  const hit = await runBuild(spec, { outDir, provider: 'libvirt', kind: 'vm', accelerator: 'tcg', cacheDir: testCacheDir }, again.deps);
  t.true(hit.cached);
  t.is(hit.inputsHash, result.inputsHash);
  t.deepEqual(again.calls, { planBuild: 1, packerSession: 1, readLock: 1 });
  t.deepEqual((await packer.invocations()).map((line) => line.split(' ')[0]), ['version']);
});
