import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = new URL('../../bin/boxwright.js', import.meta.url).pathname;

/** What a CLI run printed and how it ended. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bin/boxwright.js ARGS` (not npx, which does not forward signals). */
export function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Runs the CLI to its end. */
export function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return startCli(args, env).done;
}

/** Whether `vagrant` is on PATH. */
export async function hasVagrant(): Promise<boolean> {
  return run('sh', ['-c', 'command -v vagrant']).then(() => true, () => false);
}

/** Runs vagrant with its own VAGRANT_HOME; resolves with its output and exit code. */
export async function vagrant(args: string[], home: string): Promise<{ code: number; output: string }> {
  try {
    const r = await run('vagrant', args, { env: { ...process.env, VAGRANT_HOME: home, VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_NO_COLOR: '1' }, timeout: 180_000 });
    return { code: 0, output: `${r.stdout}${r.stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
