import type { Accelerator, BaseName, BuildKind, Provider } from '../image/types.js';
import type { BuildEvent, BuildPhase } from './events.js';

/** Options of `buildImage`. */
export interface BuildOptions {
  /** Folder the box, its .sha256, build-manifest.json and lab.json are written to. */
  outDir: string;
  /** @default spec.providers[0] */
  provider?: Provider;
  /** Overrides spec.base with a known base name. */
  base?: BaseName;
  /** @default spec.build.kind */
  kind?: BuildKind;
  /** @default spec.build.accelerator */
  accelerator?: Accelerator;
  /** Rebuild even when outDir holds a verified box for the same inputs. @default false */
  force?: boolean;
  /** Path of the packer binary. @default `$PACKER_PATH` or `packer` on PATH */
  packerPath?: string;
  /** Cache folder for base disks and app bundles. @default ~/.cache/boxwright */
  cacheDir?: string;
  /**
   * Resolve the inputs anew and rewrite the image's boxwright.lock.json before building, instead of
   * refusing when they no longer match it. @default false
   */
  updateLock?: boolean;
  /** Keep the temp build folder (debugging). @default false */
  keepBuildDir?: boolean;
  /**
   * Cancels the build: packer gets SIGINT and time to stop its VM; nothing is left in outDir. Aborted
   * with a reason that asks for force (`'force'`, or an object with `force: true`), packer's process
   * group and its VM are killed at once instead.
   */
  signal?: AbortSignal;
  /**
   * Aborting it (at any time, also after `signal`) kills packer's process group and its VM at once
   * (SIGKILL) — what a second Ctrl-C, SIGTERM or SIGHUP asks for. The build folder is still removed.
   */
  forceSignal?: AbortSignal;
  /** Receives progress events. */
  onEvent?: (event: BuildEvent) => void;
}

/** What a build produced. */
export interface BuildResult {
  /** Absolute path of the .box. */
  box: string;
  sha256: string;
  /** Bytes. */
  size: number;
  manifestPath: string;
  /**
   * The build's cache key (internally `cacheKey`): sha256 over the render hash, the base's
   * identity, the packer version and the lock. Not `RenderResult.inputsHash`, which is the render
   * hash alone (recorded as `renderHash` in build-manifest.json).
   */
  inputsHash: string;
  /** True when the box came from outDir's cache and packer did not run. */
  cached: boolean;
  /** Milliseconds per phase. */
  timings: Partial<Record<BuildPhase, number>>;
}
