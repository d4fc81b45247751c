/**
 * Baseline A, "bare build": a plain packer template (bench/baselines/bare-build.pkr.json) on the
 * same cached Debian 12 base disk, with the qemu settings of lib/template/qemu.ts (TCG, SSH and
 * VNC on loopback, the same disk size), that only runs
 * `apt-get update && apt-get install -y nginx mariadb-server nodejs` over SSH and the vagrant
 * post-processor. No Boxwright code runs in it: it is what a hand-written template costs.
 */
import { execa } from 'execa';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild } from './process.js';

/** The baseline template. */
export const BARE_TEMPLATE = fileURLToPath(new URL('./baselines/bare-build.pkr.json', import.meta.url));

/** Options of {@link bareBuild}. */
export interface BareBuildOptions {
  /** The cached base disk (qcow2) and its sha256. */
  baseDisk: string;
  baseSha256: string;
  /** Vagrant's insecure private key (the base's vagrant user takes it). */
  sshKey: string;
  /** Folder for the build (emptied first); the box and packer's log stay there. */
  outDir: string;
  cpus: number;
  memory: number;
  /** MiB. */
  diskSize: number;
  log: (line: string) => void;
  /** Stops packer (SIGINT to its process group, then harder) when aborted. */
  signal?: AbortSignal;
}

/** Runs the bare build; returns its wall time and the box size. Packer is stopped by PID if anything throws. */
export async function bareBuild(options: BareBuildOptions): Promise<{ ms: number; boxBytes: number; box: string }> {
  await rm(options.outDir, { recursive: true, force: true });
  await mkdir(options.outDir, { recursive: true });
  const template = path.join(options.outDir, 'bare-build.pkr.json');
  await copyFile(BARE_TEMPLATE, template);
  const box = path.join(options.outDir, 'bare.libvirt.box');
  const vars = {
    base_disk: options.baseDisk, base_checksum: `sha256:${options.baseSha256}`, ssh_key: options.sshKey,
    box_output: box, cpus: String(options.cpus), memory: String(options.memory), disk_size: `${options.diskSize}M`,
  };
  const args = ['build', '-machine-readable', ...Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]), 'bare-build.pkr.json'];
  const logFile = createWriteStream(path.join(options.outDir, 'packer.log'));
  const started = performance.now();
  const child = execa('packer', args, {
    cwd: options.outDir, reject: false, stdin: 'ignore', detached: true, buffer: false, all: true,
    env: { CHECKPOINT_DISABLE: '1', PACKER_CACHE_DIR: path.join(options.outDir, 'packer_cache') },
  });
  const onAbort = (): void => { void stopChild(child, { group: true }); };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    child.all?.on('data', (chunk: Buffer) => {
      logFile.write(chunk);
      for (const line of chunk.toString().split('\n')) {
        const ui = /^\d+,[^,]*,ui,(say|error),(.*)$/.exec(line);
        if (ui?.[2]) options.log(`bare: ${ui[2].replace(/%!\(PACKER_COMMA\)/g, ',').slice(0, 160)}`);
      }
    });
    const result = await child;
    const ms = performance.now() - started;
    if (result.exitCode !== 0) throw new Error(`packer build of the bare baseline failed (exit ${result.exitCode}); see ${path.join(options.outDir, 'packer.log')}`);
    return { ms, boxBytes: (await stat(box)).size, box };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await stopChild(child, { group: true });
    logFile.end();
  }
}
