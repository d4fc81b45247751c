import { execa, type ResultPromise } from 'execa';
import { setTimeout as sleep } from 'node:timers/promises';

/** Wall time of `fn` in ms, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/**
 * Stops a child we started, by its PID: SIGINT (packer cleans up its VM on it), then SIGTERM,
 * then SIGKILL, waiting between them. Never signals anything but that PID (or its own group when
 * it was started detached).
 */
export async function stopChild(child: ResultPromise, options: { group?: boolean; graceMs?: number } = {}): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null) return;
  const done = child.then(() => true, () => true);
  const target = options.group ? -pid : pid;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(target, signal);
    } catch {
      return; // already gone
    }
    if (await Promise.race([done, sleep(signal === 'SIGINT' ? options.graceMs ?? 60_000 : 10_000).then(() => false)])) return;
  }
}

/** Runs the CLI (`node bin/boxwright.js ...`) from the repository root; returns wall ms and output. */
export async function runCli(repoRoot: string, args: readonly string[]): Promise<{ ms: number; exitCode: number; stdout: string; stderr: string }> {
  const started = performance.now();
  const result = await execa('node', ['bin/boxwright.js', ...args], { cwd: repoRoot, reject: false, stdin: 'ignore', timeout: 30 * 60_000 });
  return { ms: performance.now() - started, exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}
