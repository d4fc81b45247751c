import { checkLock } from '../../lock/check.js';
import { lockPath, writeLock } from '../../lock/file.js';
import { resolveLock } from '../../lock/resolve.js';
import { need, type BuildStep } from '../state.js';
import { cacheKeyFromState } from './cache-key.js';

/**
 * Before anything is built: with `updateLock` the inputs are resolved and the lock rewritten (and
 * the cache key with it); otherwise a lock that no longer matches the inputs refuses the build.
 * The lock is resolved from the build's plan: nothing is planned or detected again.
 */
export const lockGate: BuildStep = {
  name: 'lock-gate',
  async run(state) {
    const { spec, options } = state;
    const lockOptions = {
      plan: need(state.plan, 'plan'),
      ...(options.base ? { base: options.base } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}), ...(options.signal ? { signal: options.signal } : {}),
    };
    if (options.updateLock) {
      state.lock = await resolveLock(spec, lockOptions);
      state.log('boxwright', `lock: wrote ${await writeLock(spec.dir, state.lock)}`);
      state.cacheKey = cacheKeyFromState(state);
    } else if (state.lock) {
      await checkLock(spec, { ...lockOptions, lock: state.lock });
      state.log('boxwright', `lock: ${lockPath(spec.dir)} matches the inputs`);
    }
    state.emit({ type: 'cache', result: 'miss', inputsHash: need(state.cacheKey, 'cacheKey') });
  },
};
