import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import { chooseAccelerator, readHostFacts } from '../lib/plan/host.js';
import { packerVersion } from '../lib/packer/version.js';
import type { MachineFacts } from './report.js';

/**
 * The commit measured: `$BOXWRIGHT_BENCH_COMMIT` (set when the bench runs from an exported tree),
 * else `git rev-parse HEAD` of `repoRoot`, with `-dirty` when tracked files differ from it.
 */
async function commitOf(repoRoot: string): Promise<string | undefined> {
  if (process.env.BOXWRIGHT_BENCH_COMMIT) return process.env.BOXWRIGHT_BENCH_COMMIT;
  const head = await execa('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: repoRoot, reject: false });
  if (head.exitCode !== 0) return undefined;
  const dirty = await execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, reject: false });
  return `${String(head.stdout).trim()}${String(dirty.stdout).trim() === '' ? '' : '-dirty'}`;
}

/** Facts about this machine for the report (the load average at the end is filled in later). */
export async function machineFacts(accelerator: 'tcg' | 'kvm', repoRoot: string): Promise<MachineFacts> {
  const commit = await commitOf(repoRoot);
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const qemu = await execa('qemu-system-x86_64', ['--version'], { reject: false });
  const auto = chooseAccelerator('auto', readHostFacts());
  return {
    cpuModel,
    cores: os.cpus().length,
    ramBytes: os.totalmem(),
    accelerator: auto === accelerator ? accelerator : `${accelerator} (forced; auto would pick ${auto})`,
    packerVersion: await packerVersion().catch((error: unknown) => `unknown (${String(error)})`),
    qemuVersion: String(qemu.stdout ?? '').split('\n')[0]?.replace(/^QEMU emulator version /, 'qemu ') || 'unknown',
    nodeVersion: process.version,
    date: new Date().toISOString(),
    ...(commit ? { commit } : {}),
    loadAverage: { start: os.loadavg(), end: [] },
  };
}
