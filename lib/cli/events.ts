import type { BuildEvent, BuildPhase } from '../builder/events.js';
import type { PublishEvent } from '../publish/events.js';

/** Commands that print events with `--json`. */
export type JsonCommand = 'build' | 'check' | 'validate' | 'diff' | 'publish' | 'deploy' | 'db-promote';

/**
 * One line of `boxwright <command> --json` on stdout: every line is one JSON object with the
 * `command` that printed it and a `type`; the rest depends on the type (schema/events.schema.json,
 * docs/events.md). Lines never carry secrets.
 *
 * - `phase`, `step`, `cache`, `artifact`: a build's progress (as {@link BuildEvent}).
 * - `log`: a line for humans, with its `source` and `level`.
 * - `publish-step`: one step of a publish reached an outcome.
 * - `deploy-step`: a deploy moved on (bundle, upload, drain, switch, ready, machine-done, done).
 * - `db-promote-step`: a promotion moved on (promote, repoint, done).
 * - `result`: what the command produced (the last line of a success; a `build --check` prints the
 *   build's result, then the check's).
 * - `error`: the command failed; `code` is the stable {@link ErrorCode}, `exitCode` the process's.
 */
export type CliEvent = { command: JsonCommand } & (
  | { type: 'phase'; phase: BuildPhase; elapsedMs: number }
  | { type: 'step'; index: number; total: number; name: string; elapsedMs: number }
  | { type: 'log'; source: 'packer' | 'base' | 'boxwright' | 'publish' | 'check'; level: 'info' | 'warn' | 'error'; line: string }
  | { type: 'cache'; result: 'hit' | 'miss'; inputsHash: string }
  | { type: 'artifact'; path: string; sha256: string; size: number }
  | { type: 'publish-step'; step: string; action: string; message: string }
  | { type: 'deploy-step'; step: string; message: string; machine?: string; release?: string; elapsedMs: number }
  | { type: 'db-promote-step'; step: string; message: string; machine?: string; elapsedMs: number }
  | ({ type: 'result' } & Record<string, unknown>)
  | { type: 'error'; code: string; message: string; exitCode: number; path?: string }
);

/** Writes one {@link CliEvent} as a JSON line. */
export function writeEvent(stream: { write(text: string): unknown }, event: CliEvent): void {
  stream.write(`${JSON.stringify(event)}\n`);
}

/** A build event as a CLI event line. */
export function fromBuildEvent(command: JsonCommand, event: BuildEvent): CliEvent {
  return { command, ...event };
}

/** A publish event as a CLI event line (`step` becomes `publish-step`, `log` gets its source). */
export function fromPublishEvent(event: PublishEvent): CliEvent {
  if (event.type === 'step') return { command: 'publish', type: 'publish-step', step: event.step, action: event.action, message: event.message };
  return { command: 'publish', type: 'log', source: 'publish', level: event.level, line: event.message };
}
