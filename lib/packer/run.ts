import { createInterface } from 'node:readline';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type Result } from 'execa';
import { BoxwrightError, type ErrorCode } from '../errors.js';
import { locatePacker } from './locate.js';
import { parseMachineReadableLine, type PackerEvent } from './machine-readable.js';
import { ArtifactCollector, vagrantBoxes, type PackerArtifact, type VagrantBoxArtifact } from './reported-artifacts.js';
import { DescendantTracker } from './proc-tree.js';

/** Values for packer variables; written to a private `-var-file`, never put in argv. */
export type PackerVars = Readonly<Record<string, string | number | boolean>>;

/** Options every packer command takes. */
export interface PackerCommandOptions {
  /** The packer binary; located with {@link locatePacker} (PACKER_PATH, PATH) when absent. */
  packerPath?: string;
  /**
   * Extra environment for packer, on top of `process.env` (e.g. `PKR_VAR_name` values).
   * `CHECKPOINT_DISABLE=1` is set unless given here.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Options of {@link packerValidate}. */
export interface PackerValidateOptions extends PackerCommandOptions {
  /** Variable values, passed through a temporary 0600 `-var-file`. */
  vars?: PackerVars;
  /** An existing variables file (relative to the build folder, or absolute). */
  varFile?: string;
}

/** Options of {@link packerInit}. */
export interface PackerInitOptions extends PackerCommandOptions {
  /** Template file or folder to read `required_plugins` from. @default '.' */
  templateFile?: string;
}

/** Options of {@link packerBuild}. */
export interface PackerBuildOptions extends PackerValidateOptions {
  /** Called with every machine-readable event, in order. Should not throw. */
  onEvent?: (event: PackerEvent) => void;
  /**
   * Aborting it cancels the build: SIGINT, then SIGKILL after `gracePeriodMs`. Aborted with a
   * force reason ({@link isForceReason}), the group is killed at once instead.
   */
  signal?: AbortSignal;
  /**
   * Aborting it (before or after `signal`) kills packer's process group and every descendant seen
   * (its qemu) at once with SIGKILL: what a second Ctrl-C, SIGTERM or SIGHUP asks for.
   */
  forceSignal?: AbortSignal;
  /** How long packer may take to tear down its VM after SIGINT. @default 60000 */
  gracePeriodMs?: number;
  /** packer's `-on-error`. @default 'cleanup' */
  onError?: 'cleanup' | 'abort';
  /** Pass `-force` (delete an existing output directory first). @default false */
  force?: boolean;
}

/** What a successful {@link packerBuild} returns. */
export interface PackerBuildResult {
  /** Every artifact packer reported. */
  artifacts: PackerArtifact[];
  /** Boxes made by the vagrant post-processor (paths as printed, relative to the build folder). */
  boxes: VagrantBoxArtifact[];
  /** Wall time of the packer process. */
  durationMs: number;
}

/** What a successful {@link packerValidate} or {@link packerInit} returns. */
export interface PackerCommandResult {
  /** stdout + stderr of packer, trimmed (empty on a silent success, as 1.6.6 validate is). */
  output: string;
}

/** Default grace period between SIGINT and SIGKILL. */
export const DEFAULT_GRACE_PERIOD_MS = 60_000;

function packerEnv(options: PackerCommandOptions): Record<string, string | undefined> {
  return { CHECKPOINT_DISABLE: '1', ...options.env };
}

async function resolvePacker(options: PackerCommandOptions): Promise<string> {
  return locatePacker(options.packerPath === undefined ? {} : { packerPath: options.packerPath });
}

/** Write `vars` to a private var-file; returns its path and a remover. */
async function writeVarFile(vars: PackerVars | undefined): Promise<{ args: string[]; remove: () => Promise<void> }> {
  if (vars === undefined || Object.keys(vars).length === 0) return { args: [], remove: async () => {} };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'boxwright-vars-'));
  const file = path.join(dir, 'vars.pkrvars.json');
  await writeFile(file, `${JSON.stringify(vars, null, 2)}\n`, { mode: 0o600 });
  return { args: [`-var-file=${file}`], remove: () => rm(dir, { recursive: true, force: true }) };
}

function combinedOutput(result: Pick<Result, 'stdout' | 'stderr'>): string {
  return [result.stdout, result.stderr].map((s) => (typeof s === 'string' ? s.trim() : '')).filter(Boolean).join('\n');
}

function spawnFailure(result: Result, packerPath: string): BoxwrightError | undefined {
  if (result.failed && result.exitCode === undefined && !result.isCanceled && result.signal === undefined) {
    return new BoxwrightError('E_PACKER_MISSING', `could not run ${packerPath}: install it with apt-get install packer or set --packer/PACKER_PATH`, { cause: result });
  }
  return undefined;
}

async function runSimple(code: ErrorCode, what: string, args: string[], dir: string, options: PackerCommandOptions, hint = ''): Promise<PackerCommandResult> {
  const packerPath = await resolvePacker(options);
  const result = await execa(packerPath, args, { cwd: dir, env: packerEnv(options), reject: false, stdin: 'ignore', timeout: 30 * 60_000 });
  const missing = spawnFailure(result, packerPath);
  if (missing) throw missing;
  const output = combinedOutput(result);
  if (result.failed) {
    throw new BoxwrightError(code, `${what} failed (exit ${result.exitCode ?? result.signal}) in ${dir}:\n${output}${hint}`, { cause: result });
  }
  return { output };
}

/**
 * Run `packer validate` on `templateFile` (relative to `dir`, e.g. `build.pkr.json`), with cwd = `dir`.
 * Packer 1.6.6 prints nothing on success and its errors (`Error: ...` blocks) on stdout.
 *
 * @throws BoxwrightError `E_PACKER_VALIDATE` with packer's error text in the message.
 */
export async function packerValidate(dir: string, templateFile: string, options: PackerValidateOptions = {}): Promise<PackerCommandResult> {
  const vars = await writeVarFile(options.vars);
  try {
    const args = ['validate', ...vars.args, ...(options.varFile ? [`-var-file=${options.varFile}`] : []), templateFile];
    return await runSimple('E_PACKER_VALIDATE', `packer validate ${templateFile}`, args, dir, options);
  } finally {
    await vars.remove();
  }
}

/**
 * Run `packer init` (packer ≥ 1.7 only; see `capabilities.init`) so the pinned plugins of
 * `required_plugins` are installed. It downloads from the internet unless they are installed already.
 *
 * @throws BoxwrightError `E_PACKER_INIT` with packer's output.
 */
export async function packerInit(dir: string, options: PackerInitOptions = {}): Promise<PackerCommandResult> {
  const hint = '\n(packer init needs packer 1.7 or newer and network access to the plugin releases; on an offline host install the pinned plugins beforehand, e.g. with `packer plugins install` into PACKER_PLUGIN_PATH)';
  return runSimple('E_PACKER_INIT', 'packer init', ['init', options.templateFile ?? '.'], dir, options, hint);
}

/**
 * True when an abort reason asks for an immediate kill rather than packer's clean-up: the string
 * `'force'`, or an object (an Error too) whose `force` is `true`.
 */
export function isForceReason(reason: unknown): boolean {
  if (reason === 'force') return true;
  return typeof reason === 'object' && reason !== null && (reason as { force?: unknown }).force === true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

async function waitGone(tracker: DescendantTracker, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (tracker.survivors().length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Run `packer build -machine-readable -color=false -on-error=cleanup <templateFile>` with cwd = `dir`,
 * streaming each parsed line to `onEvent`.
 *
 * Cancel: when `signal` aborts, packer's process group gets SIGINT (what Ctrl-C in a terminal does;
 * packer 1.6.6 runs as a wrapper + child, and the wrapper ignores a SIGINT sent to it alone), then
 * SIGKILL after `gracePeriodMs`. Afterwards any descendant of packer still alive (recorded from /proc
 * while it ran, e.g. a qemu) is killed; nothing else is touched.
 *
 * @throws BoxwrightError `E_CANCELLED` when `signal` aborted; `E_PACKER_BUILD` with packer's last
 * error lines when the build failed (the execa error is the `cause`).
 */
export async function packerBuild(dir: string, templateFile: string, options: PackerBuildOptions = {}): Promise<PackerBuildResult> {
  const { signal, forceSignal } = options;
  if (signal?.aborted || forceSignal?.aborted) throw new BoxwrightError('E_CANCELLED', 'build cancelled before packer started');
  const packerPath = await resolvePacker(options);
  const vars = await writeVarFile(options.vars);
  const args = [
    'build', '-machine-readable', '-color=false', `-on-error=${options.onError ?? 'cleanup'}`,
    ...(options.force ? ['-force'] : []),
    ...vars.args, ...(options.varFile ? [`-var-file=${options.varFile}`] : []),
    templateFile,
  ];
  const grace = options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS;
  const collector = new ArtifactCollector();
  const uiErrors: string[] = [];
  const buildErrors: string[] = [];
  let listenerError: unknown;
  let cancelled = false;
  let forceKilled = false;
  let forced = false;
  let killTimer: NodeJS.Timeout | undefined;
  const started = Date.now();

  try {
    const subprocess = execa(packerPath, args, {
      cwd: dir, env: packerEnv(options), reject: false, stdin: 'ignore', detached: true, buffer: { stdout: false },
    });
    const pid = subprocess.pid;
    const tracker = pid === undefined ? undefined : new DescendantTracker(pid);
    tracker?.start();

    const forceKill = (): void => {
      if (pid === undefined || forceKilled) return;
      cancelled = true;
      forceKilled = true;
      clearTimeout(killTimer);
      signalGroup(pid, 'SIGKILL');
      tracker?.scan();
      tracker?.killSurvivors();
    };
    const onForce = (): void => {
      forced = true;
      forceKill();
    };
    const onAbort = (): void => {
      if (pid === undefined || cancelled) return;
      if (isForceReason(signal?.reason)) {
        onForce();
        return;
      }
      cancelled = true;
      signalGroup(pid, 'SIGINT');
      killTimer = setTimeout(() => {
        if (subprocess.exitCode !== null || subprocess.signalCode !== null) return;
        forceKilled = true;
        signalGroup(pid, 'SIGKILL');
      }, grace);
      killTimer.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    forceSignal?.addEventListener('abort', onForce, { once: true });

    const lines = createInterface({ input: subprocess.stdout, crlfDelay: Infinity });
    const linesDone = new Promise<void>((resolve) => lines.once('close', resolve));
    lines.on('line', (line) => {
      const event = parseMachineReadableLine(line);
      if (!event) return;
      collector.push(event);
      if (event.type === 'ui' && event.level === 'error') uiErrors.push(event.message.trim());
      if (event.type === 'error') buildErrors.push(event.target ? `${event.target}: ${event.message}` : event.message);
      try {
        options.onEvent?.(event);
      } catch (error) {
        listenerError ??= error;
      }
    });

    // Wait for packer itself to exit, not for its stdout to close: an orphaned descendant
    // (e.g. a script ignoring SIGINT) can hold the pipe open for as long as it lives.
    const exited = new Promise<void>((resolve) => subprocess.once('exit', () => resolve()));
    await Promise.race([exited, subprocess.then(() => undefined, () => undefined)]);
    clearTimeout(killTimer);
    signal?.removeEventListener('abort', onAbort);
    forceSignal?.removeEventListener('abort', onForce);
    if (tracker) {
      tracker.stop();
      tracker.killSurvivors();
      await waitGone(tracker, 5_000);
    }
    const result = await subprocess;
    await linesDone;

    if (cancelled) {
      const how = forced ? 'packer and its processes were killed at once' : forceKilled ? `packer did not stop within ${grace} ms and was killed` : 'packer was interrupted and cleaned up';
      throw new BoxwrightError('E_CANCELLED', `build cancelled: ${how}`, { cause: forced && forceSignal?.aborted ? forceSignal.reason : signal?.reason });
    }
    const missing = spawnFailure(result, packerPath);
    if (missing) throw missing;
    if (result.failed) {
      const reasons = buildErrors.length > 0 ? buildErrors : uiErrors.slice(-5);
      const stderr = typeof result.stderr === 'string' && result.stderr.trim() !== '' ? `\n${result.stderr.trim().split('\n').slice(-10).join('\n')}` : '';
      const detail = reasons.length > 0 ? reasons.join('\n') : `exit ${result.exitCode ?? result.signal}`;
      throw new BoxwrightError('E_PACKER_BUILD', `packer build failed in ${dir}:\n${detail}${stderr}`, { cause: result });
    }
    if (listenerError !== undefined) throw listenerError;
    const artifacts = collector.artifacts;
    return { artifacts, boxes: vagrantBoxes(artifacts), durationMs: Date.now() - started };
  } finally {
    clearTimeout(killTimer);
    await vars.remove();
  }
}
