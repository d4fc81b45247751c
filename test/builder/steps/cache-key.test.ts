import test from 'ava';
import { cacheKey, cacheKeyOf, type CacheKeyParts } from '../../../lib/builder/steps/cache-key.js';
import type { RenderResult } from '../../../lib/render/render-image.js';
import type { Lock } from '../../../lib/lock/types.js';
import { stateFor, tempDir } from './helpers.js';

test('the cache key changes with each of its parts: render hash, base, packer version, lock', async (t) => {
  const state = await stateFor('/nonexistent', { plan: { base: 'ubuntu-24.04' } });
  const parts: CacheKeyParts = { renderHash: 'a'.repeat(64), base: state.plan!.base, baseRecipe: undefined, packerVersion: '1.6.6', lock: undefined };
  const key = cacheKeyOf(parts);
  t.regex(key, /^[0-9a-f]{64}$/);
  t.is(cacheKeyOf({ ...parts }), key, 'same parts, same key');
  const changed = [
    cacheKeyOf({ ...parts, renderHash: 'b'.repeat(64) }),
    cacheKeyOf({ ...parts, base: { ...parts.base, checksum: `sha256:${'c'.repeat(64)}` } }),
    cacheKeyOf({ ...parts, baseRecipe: 'd'.repeat(64) }),
    cacheKeyOf({ ...parts, packerVersion: '1.11.2' }),
    cacheKeyOf({ ...parts, lock: { format: 1 } as unknown as Lock }),
  ];
  t.is(new Set([key, ...changed]).size, 6);
});

test('the cache-key step reads the lock once and keys a mirror base by its recipe hash', async (t) => {
  const reads: string[] = [];
  const state = await stateFor(await tempDir(t), { plan: { base: 'debian-12' }, deps: { readLock: async (dir) => { reads.push(dir); return undefined; } } });
  state.render = { inputsHash: 'e'.repeat(64) } as RenderResult;
  await cacheKey.run(state);
  t.deepEqual(reads, [state.spec.dir]);
  t.regex(state.baseRecipe ?? '', /^[0-9a-f]{64}$/);
  t.is(state.cacheKey, cacheKeyOf({ renderHash: 'e'.repeat(64), base: state.plan!.base, baseRecipe: state.baseRecipe, packerVersion: '1.6.6', lock: undefined }));
  t.not(state.cacheKey, state.render.inputsHash, 'the cache key is not the render hash');
});
