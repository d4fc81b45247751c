import { cp } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { lockGate } from '../../../lib/builder/steps/lock-gate.js';
import { isBoxwrightError } from '../../../lib/errors.js';
import { loadImage } from '../../../lib/image/load.js';
import { resolveLock } from '../../../lib/lock/resolve.js';
import { readLock, writeLock } from '../../../lib/lock/file.js';
import { imageDir, testCacheDir } from '../../render/helpers.js';
import { stateFor, tempDir } from './helpers.js';

/** A copy of the sample image on the pinned ubuntu base (its lock needs no network and no packer run). */
async function image(t: Parameters<typeof tempDir>[0]) {
  const dir = path.join(await tempDir(t), 'image');
  await cp(imageDir, dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
  return loadImage(dir);
}

test('without a lock file the gate only reports a cache miss', async (t) => {
  const spec = await image(t);
  const state = await stateFor('/nonexistent', { spec, plan: { base: 'ubuntu-24.04' } });
  state.cacheKey = 'a'.repeat(64);
  await lockGate.run(state);
  t.deepEqual(state.events, [{ type: 'cache', result: 'miss', inputsHash: 'a'.repeat(64) }]);
});

test('a lock that no longer matches refuses the build, resolved from the plan (its packer, not a detected one)', async (t) => {
  const spec = await image(t);
  const state = await stateFor('/nonexistent', { spec, plan: { base: 'ubuntu-24.04', packer: { version: '9.9.9', requiredPlugins: false, plugins: {} } } });
  const lock = await resolveLock(spec, { plan: state.plan!, cacheDir: testCacheDir });
  t.is(lock.packer.version, '9.9.9', 'the lock took the plan packer version: packer was not run');
  state.lock = { ...lock, app: { ...lock.app, sourceHash: '0'.repeat(64) } };
  state.cacheKey = 'a'.repeat(64);
  const error = await t.throwsAsync(lockGate.run(state));
  t.true(isBoxwrightError(error, 'E_LOCK_MISMATCH'));
  t.regex(error!.message, /app\.sourceHash/);
});

test('with updateLock the gate rewrites the lock and the cache key follows it', async (t) => {
  const spec = await image(t);
  const state = await stateFor('/nonexistent', { spec, options: { updateLock: true, cacheDir: testCacheDir }, plan: { base: 'ubuntu-24.04' } });
  state.render = { inputsHash: 'b'.repeat(64) } as never;
  state.cacheKey = 'a'.repeat(64);
  await lockGate.run(state);
  t.deepEqual(await readLock(spec.dir), state.lock);
  t.not(state.cacheKey, 'a'.repeat(64));
  t.deepEqual(state.events.at(-1), { type: 'cache', result: 'miss', inputsHash: state.cacheKey! });
  await writeLock(spec.dir, state.lock!);
});
