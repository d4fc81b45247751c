/** Helpers of the lab tests: a throwaway copy of the Vagrantfile and its Ruby helpers. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** True when a command is on PATH. */
export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** A temp lab folder holding the Vagrantfile and vagrant/, plus a private VAGRANT_HOME. */
export interface TempLab {
  dir: string;
  vagrantHome: string;
  cleanup(): void;
  /** Writes a JSON file relative to the lab folder. */
  writeJson(relPath: string, value: unknown): void;
}

/** Copies the lab files into a fresh temp folder (so no .vagrant/ or lab.json of the repo leaks in). */
export function makeTempLab(): TempLab {
  const base = mkdtempSync(join(tmpdir(), 'bw-lab-test-'));
  const dir = join(base, 'lab');
  const vagrantHome = join(base, 'vagrant-home');
  mkdirSync(dir, { recursive: true });
  mkdirSync(vagrantHome);
  cpSync(join(root, 'Vagrantfile'), join(dir, 'Vagrantfile'));
  cpSync(join(root, 'vagrant'), join(dir, 'vagrant'), { recursive: true });
  return {
    dir,
    vagrantHome,
    cleanup: () => rmSync(base, { recursive: true, force: true }),
    writeJson(relPath, value) {
      const path = join(dir, relPath);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/** Environment without any BOXWRIGHT_* / VAGRANT_* variables of the caller, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('BOXWRIGHT_') && !k.startsWith('VAGRANT_')) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Result of a finished command. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, never throwing on a non-zero exit. */
export function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
  const r = spawnSync(cmd, args, { ...options, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Lab settings as the Vagrantfile in `dir` would resolve them (through vagrant/cli.rb). */
export function rubySettings(dir: string, env: Record<string, string> = {}, args: string[] = []): Record<string, unknown> {
  const out = execFileSync('ruby', [join(dir, 'vagrant', 'cli.rb'), 'settings', dir, ...args], { env: cleanEnv(env) });
  return JSON.parse(out.toString('utf8')) as Record<string, unknown>;
}

/** One case of a plain-Ruby test runner (test/lab/*_test.rb --json). */
export interface RubyCase {
  name: string;
  ok: boolean;
  detail?: string | null;
}

/** Runs a plain-Ruby test runner of test/lab/ and returns its exit status and one result per case. */
export function runRubyCases(script: string): { status: number | null; cases: RubyCase[]; stderr: string } {
  const r = run('ruby', [join(root, 'test', 'lab', script), '--json'], { env: cleanEnv() });
  const cases = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RubyCase);
  return { status: r.status, cases, stderr: r.stderr };
}
