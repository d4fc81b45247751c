import { execa } from 'execa';
import { readFile, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { BoxwrightError } from '../errors.js';

/** Options of {@link runLogged}. */
export interface RunOptions {
  /** Working directory of the command. */
  cwd?: string;
  /** Extra environment variables (merged over `process.env`). */
  env?: Record<string, string>;
  /** Aborting kills the command's whole process group (SIGTERM, then SIGKILL after `graceMs`). */
  signal?: AbortSignal;
  /** Receives every line the command prints on stdout or stderr. */
  onLog?: (line: string) => void;
  /** Time the command gets to clean up after SIGTERM. @default 30000 */
  graceMs?: number;
}

/** How a command ended. */
export interface RunResult {
  exitCode: number;
  /** The last lines of output (at most 40), for error messages. */
  tail: string[];
}

/**
 * Run a command in its own process group and stream its output lines to `onLog`.
 * On abort the whole group gets SIGTERM (so scripts' traps and mmdebstrap clean up), then
 * SIGKILL after `graceMs`; the promise then rejects with `E_CANCELLED`.
 * A non-zero exit resolves (the caller decides what it means).
 */
export async function runLogged(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { signal, onLog, graceMs = 30_000 } = options;
  if (signal?.aborted) throw cancelled(signal.reason);
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
  });
  const tail: string[] = [];
  const lines = createInterface({ input: subprocess.all!, crlfDelay: Infinity });
  lines.on('line', (line) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    onLog?.(line);
  });
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = (sig: NodeJS.Signals): void => {
    if (subprocess.pid === undefined) return;
    try {
      process.kill(-subprocess.pid, sig);
    } catch {
      // the group is already gone
    }
  };
  const onAbort = (): void => {
    killGroup('SIGTERM');
    killTimer = setTimeout(() => killGroup('SIGKILL'), graceMs);
    killTimer.unref();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await subprocess;
    if (signal?.aborted) {
      // Children of the script may outlive it: make sure the group is gone.
      killGroup('SIGKILL');
      throw cancelled(signal.reason);
    }
    if (result.failed && result.exitCode === undefined) {
      throw new BoxwrightError('E_HOST', `could not run ${file}: ${result.shortMessage}`, { cause: result });
    }
    return { exitCode: result.exitCode ?? 1, tail };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (killTimer !== undefined) clearTimeout(killTimer);
    lines.close();
  }
}

function cancelled(reason: unknown): BoxwrightError {
  return new BoxwrightError('E_CANCELLED', 'the base disk build was cancelled', { cause: reason });
}

/**
 * Remove a build folder safely: first unmount anything still mounted below it (an interrupted
 * mmdebstrap or make-disk may leave /proc, /dev or a loop mount behind) and detach loop devices
 * backed by files inside it; only then delete. Refuses to delete while a mount remains.
 */
export async function removeBuildDir(dir: string): Promise<void> {
  const root = path.resolve(dir);
  for (let attempt = 0; attempt < 3; attempt++) {
    const mounts = await mountsBelow(root);
    if (mounts.length === 0) break;
    for (const mount of mounts) {
      await execa('umount', ['-l', mount], { reject: false });
    }
  }
  const left = await mountsBelow(root);
  if (left.length > 0) {
    throw new BoxwrightError('E_BASE', `${left[0]} is still mounted; unmount it, then remove ${root}`);
  }
  const loops = await execa('losetup', ['--list', '--noheadings', '--raw', '--output', 'NAME,BACK-FILE'], { reject: false });
  if (loops.exitCode === 0) {
    for (const line of loops.stdout.split('\n')) {
      const [name, backing] = line.split(' ', 2);
      if (name && backing && (backing === root || backing.startsWith(root + '/'))) {
        await execa('losetup', ['-d', name], { reject: false });
      }
    }
  }
  await rm(root, { recursive: true, force: true });
}

async function mountsBelow(root: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((point) => point === root || point.startsWith(root + '/'));
  // Deepest first.
  return points.sort((a, b) => b.length - a.length);
}
