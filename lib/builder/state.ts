import { BoxwrightError, isBoxwrightError } from '../errors.js';
import type { ImageSpec } from '../image/types.js';
import type { ResolvedBase } from '../base/index.js';
import { readLock } from '../lock/file.js';
import type { Lock } from '../lock/types.js';
import { type BuildPlan, planBuild } from '../plan/plan.js';
import type { RenderResult } from '../render/render-image.js';
import type { BuildEvent, BuildPhase } from './events.js';
import type { BuildManifest } from './manifest.js';
import { packerSession, type PackerSession } from './packer-session.js';
import type { BuildOptions, BuildResult } from './types.js';

/** What a build calls to plan, find packer and read the lock (tests count the calls). */
export interface BuildDeps {
  planBuild: typeof planBuild;
  packerSession: typeof packerSession;
  readLock: typeof readLock;
}

/** The real ones. */
export const DEFAULT_DEPS: BuildDeps = { planBuild, packerSession, readLock };

/** Times the phases of a build and announces each one. */
export class PhaseClock {
  readonly started = Date.now();
  readonly timings: Partial<Record<BuildPhase, number>> = {};
  #current: { phase: BuildPhase; at: number } | undefined;
  readonly #emit: (event: BuildEvent) => void;

  constructor(emit: (event: BuildEvent) => void) {
    this.#emit = emit;
  }

  /** The phase now running. */
  get current(): BuildPhase | undefined {
    return this.#current?.phase;
  }

  /** Ends the current phase (adding its time) and starts `next`. */
  phase(next: BuildPhase): void {
    const now = Date.now();
    if (this.#current) this.timings[this.#current.phase] = (this.timings[this.#current.phase] ?? 0) + (now - this.#current.at);
    this.#current = { phase: next, at: now };
    this.#emit({ type: 'phase', phase: next, elapsedMs: now - this.started });
  }
}

/** Everything one build knows; each step reads what earlier steps left and adds its own part. */
export interface BuildState {
  readonly spec: ImageSpec;
  readonly options: BuildOptions;
  /** Absolute outDir. */
  readonly outDir: string;
  readonly deps: BuildDeps;
  readonly clock: PhaseClock;
  emit(event: BuildEvent): void;
  log(source: 'packer' | 'base' | 'boxwright', line: string, level?: 'info' | 'error'): void;
  /** packer-detect: the installed packer (detected once). */
  packer?: PackerSession;
  /** plan: the build plan (computed once). */
  plan?: BuildPlan;
  /** workspace: the temp folder in outDir, and the build folder inside it. */
  work?: string;
  buildDir?: string;
  /** render: the rendered build folder (its `inputsHash` is the render hash). */
  render?: RenderResult;
  /** cache-key: the recipe hash of a mirror base, the lock file as read (once), the cache key. */
  baseRecipe?: string;
  lock?: Lock;
  cacheKey?: string;
  /** base: the mirror base linked into the build folder. */
  base?: ResolvedBase;
  /** verify-box: the box packer made, checked. */
  box?: { path: string; sha256: string; size: number };
  /** manifest: what build-manifest.json will say. */
  manifest?: BuildManifest;
  /** Set when the build is finished (a cache hit, or publish-to-out): later steps do not run. */
  result?: BuildResult;
}

/** One named step of a build (in the spirit of packer-plugin-qemu's step_*.go). */
export interface BuildStep {
  name: string;
  /** Does the step's work. */
  run(state: BuildState): Promise<void>;
  /** Undoes or tidies after the build, for every step that started, in reverse order, failed or not. */
  cleanup?(state: BuildState, failed: boolean): Promise<void>;
}

/** A value the state must hold by now (a step ran out of order otherwise). */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`build step order: ${what} is not set yet`);
  return value;
}

/** The `E_CANCELLED` error, unless the signal is not aborted. */
export function checkAbort(options: Pick<BuildOptions, 'signal' | 'forceSignal'>): void {
  const signal = options.signal?.aborted ? options.signal : options.forceSignal?.aborted ? options.forceSignal : undefined;
  if (signal) throw new BoxwrightError('E_CANCELLED', 'the build was cancelled', { cause: signal.reason });
}

/**
 * Runs `steps` in order until one fails or sets `state.result`, checking for cancellation before
 * each; then runs the cleanups of every step that started, last first. A failure after a
 * cancellation is reported as `E_CANCELLED`.
 */
export async function runSteps(steps: readonly BuildStep[], state: BuildState): Promise<BuildResult> {
  const started: BuildStep[] = [];
  let failure: { error: unknown } | undefined;
  try {
    for (const step of steps) {
      checkAbort(state.options);
      started.push(step);
      await step.run(state);
      if (state.result) break;
    }
  } catch (error) {
    failure = { error };
  }
  for (const step of started.reverse()) {
    if (!step.cleanup) continue;
    try {
      await step.cleanup(state, failure !== undefined);
    } catch (error) {
      state.log('boxwright', `${step.name}: ${String(error)}`, 'error');
    }
  }
  if (failure) {
    const cancelled = state.options.signal?.aborted || state.options.forceSignal?.aborted;
    if (cancelled && !isBoxwrightError(failure.error, 'E_CANCELLED')) {
      throw new BoxwrightError('E_CANCELLED', 'the build was cancelled', { cause: failure.error });
    }
    throw failure.error;
  }
  return need(state.result, 'the result');
}
