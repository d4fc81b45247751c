/** Phases of a build, in order. */
export type BuildPhase = 'base' | 'render' | 'init' | 'validate' | 'boot' | 'provision' | 'shutdown' | 'post-process' | 'verify' | 'done';

/** Events a build streams to `onEvent` (and the CLI prints). They never carry secrets. */
export type BuildEvent =
  | { type: 'phase'; phase: BuildPhase; elapsedMs: number }
  | { type: 'step'; index: number; total: number; name: string; elapsedMs: number }
  | { type: 'log'; source: 'packer' | 'base' | 'boxwright'; level: 'info' | 'error'; line: string }
  | { type: 'artifact'; path: string; sha256: string; size: number }
  | { type: 'cache'; result: 'hit' | 'miss'; inputsHash: string };

/** Receives build events. */
export type BuildEventHandler = (event: BuildEvent) => void;
