import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import { chooseAccelerator, readHostFacts } from '../lib/build/choices.js';
import { packerVersion } from '../lib/packer/version.js';
import type { MachineFacts } from './report.js';

/** Facts about this machine for the report (the load average at the end is filled in later). */
export async function machineFacts(accelerator: 'tcg' | 'kvm'): Promise<MachineFacts> {
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
    loadAverage: { start: os.loadavg(), end: [] },
  };
}
