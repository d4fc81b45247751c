import test from 'ava';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildImage } from '../../lib/builder/build-image.js';
import { BoxwrightError } from '../../lib/errors.js';
import { resolveLock, writeLock } from '../../lib/lock/index.js';
import { loadImage } from '../../lib/image/load.js';
import { testCacheDir } from '../render/helpers.js';

const hasPacker = (await import('node:fs')).existsSync('/usr/bin/packer');

(hasPacker ? test : test.skip)('a build whose inputs no longer match the committed lock is refused before packer runs, leaving nothing', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'bw-lock-gate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const image = path.join(dir, 'image');
  await cp(path.resolve('images/foobar-web'), image, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const spec = await loadImage(image);
  const lock = await resolveLock(spec, { base: 'debian-12' });
  await writeLock(image, { ...lock, app: { ...lock.app, sourceHash: '0'.repeat(64) } });
  const outDir = path.join(dir, 'out');
  const error = await t.throwsAsync(buildImage(spec, { outDir, base: 'debian-12', kind: 'chroot', accelerator: 'tcg', cacheDir: testCacheDir }), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_LOCK_MISMATCH');
  t.regex(error?.message ?? '', /app\.sourceHash/);
  t.regex(error?.message ?? '', /--update/);
  t.deepEqual(await readdir(outDir), [], 'no temp folder and no artifact');
  t.regex(await readFile(path.join(image, 'boxwright.lock.json'), 'utf8'), /"sourceHash": "0{64}"/, 'the lock is left as it was');
});
