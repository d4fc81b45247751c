import { debianRecipeHash } from '../../base/debian.js';
import { lockText } from '../../lock/file.js';
import type { Lock } from '../../lock/types.js';
import type { PlannedBase } from '../../plan/bases.js';
import { sha256Hex } from '../../util/hash.js';
import { need, type BuildState, type BuildStep } from '../state.js';

/** What the cache key is made of. */
export interface CacheKeyParts {
  /** The render hash (`RenderResult.inputsHash`). */
  renderHash: string;
  base: PlannedBase;
  /** Recipe hash of a mirror base (the base itself is not needed for the key: a cache hit never touches it). */
  baseRecipe: string | undefined;
  packerVersion: string;
  lock: Lock | undefined;
}

/** The cache key (`BuildResult.inputsHash`): sha256 over the render hash, the base's identity, packer's version and the lock. */
export function cacheKeyOf(parts: CacheKeyParts): string {
  return sha256Hex(JSON.stringify({
    render: parts.renderHash,
    base: parts.baseRecipe ? { recipe: parts.baseRecipe } : { disk: parts.base.diskPathOrUrl, checksum: parts.base.checksum },
    packer: parts.packerVersion,
    lock: parts.lock ? sha256Hex(lockText(parts.lock)) : null,
  }));
}

/** The cache key from the state (again after the lock gate rewrote the lock). */
export function cacheKeyFromState(state: BuildState): string {
  const plan = need(state.plan, 'plan');
  return cacheKeyOf({ renderHash: need(state.render, 'render').inputsHash, base: plan.base, baseRecipe: state.baseRecipe, packerVersion: plan.packer.version, lock: state.lock });
}

/**
 * Reads the image's lock file (once per build) and computes the cache key. The committed lock is
 * part of the inputs; it is checked against the world only when a build will really run.
 */
export const cacheKey: BuildStep = {
  name: 'cache-key',
  async run(state) {
    const plan = need(state.plan, 'plan');
    if (plan.base.source === 'mirror') {
      state.baseRecipe = await debianRecipeHash({ ...plan.base.mirror, diskSize: state.spec.vm.diskSize });
    }
    state.lock = await state.deps.readLock(state.spec.dir);
    state.cacheKey = cacheKeyFromState(state);
  },
};
