import path from 'node:path';
import { readCachedBuild } from '../cache.js';
import { MANIFEST_FILE } from '../manifest.js';
import { need, type BuildStep } from '../state.js';

/** Ends the build with the box already in outDir when it was built from the same inputs and is intact (unless `force`). */
export const cacheHit: BuildStep = {
  name: 'cache-hit',
  async run(state) {
    if (state.options.force) return;
    const plan = need(state.plan, 'plan');
    const key = need(state.cacheKey, 'cacheKey');
    const hit = await readCachedBuild(state.outDir, plan.boxName, key);
    if (!hit) return;
    state.emit({ type: 'cache', result: 'hit', inputsHash: key });
    state.clock.phase('done');
    state.result = {
      box: path.join(state.outDir, plan.boxName), sha256: hit.sha256, size: hit.size,
      manifestPath: path.join(state.outDir, MANIFEST_FILE), inputsHash: key, cached: true, timings: hit.timings,
    };
  },
};
