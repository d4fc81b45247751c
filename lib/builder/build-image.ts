import path from 'node:path';
import type { ImageSpec } from '../image/types.js';
import { DEFAULT_DEPS, PhaseClock, runSteps, type BuildDeps, type BuildState } from './state.js';
import { BUILD_STEPS } from './steps/index.js';
import type { BuildOptions, BuildResult } from './types.js';

export type { BuildOptions, BuildResult } from './types.js';
/** Also used by publishing: a box must hold a metadata.json for its provider. */
export { verifyBoxLayout } from './steps/verify-box.js';

/**
 * Builds the box for a spec: base disk (cached) → render → packer init/validate/build → box,
 * `.sha256`, `build-manifest.json` and `lab.json` in `outDir`, each written atomically. A failed or
 * cancelled build leaves no artifact and no temp folder; packer stops its VM.
 *
 * The build is the list {@link BUILD_STEPS} (lib/builder/steps/, one file each): packer-detect, plan,
 * workspace, render, cache-key, cache-hit, lock-gate, base, packer-init, packer-validate,
 * chroot-teardown, packer-build, verify-box, manifest, publish-to-out.
 */
export async function buildImage(spec: ImageSpec, options: BuildOptions): Promise<BuildResult> {
  return runBuild(spec, options, DEFAULT_DEPS);
}

/** {@link buildImage} with its planner, packer detection and lock reader given (tests count their calls). */
export async function runBuild(spec: ImageSpec, options: BuildOptions, deps: BuildDeps): Promise<BuildResult> {
  const emit = options.onEvent ?? (() => {});
  const state: BuildState = {
    spec, options, deps, outDir: path.resolve(options.outDir), clock: new PhaseClock(emit), emit,
    log: (source, line, level = 'info') => emit({ type: 'log', source, level, line }),
  };
  return runSteps(BUILD_STEPS, state);
}
