/**
 * Boot measurements: a disk booted with the VM harness (lib/verify/boot.ts, the same as
 * test/helpers/vm.ts) in its own network namespace, polled from inside the namespace with
 * `curl --resolve www.foobar.com:80:<ip>` until it answers 200.
 */
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderImage } from '../lib/render/render-image.js';
import type { ImageSpec } from '../lib/image/types.js';
import { bootDisk, type VmHandle } from '../lib/verify/boot.js';
import { guest, uploadTree } from '../lib/verify/guest.js';
import { startMirrorRelay } from './mirror-relay.js';

/** What a boot measured, each in ms from QEMU's start. */
export interface BootTimes {
  /** QEMU start → SSH answers. */
  sshMs: number;
  /** QEMU start → the static IP is configured (the harness does it as Vagrant would). */
  ipMs: number;
  /** QEMU start → first HTTP 200 for www.foobar.com. */
  first200Ms: number;
}

/** Unpacks box.img (the qcow2) of a libvirt box into a temp folder; returns it and a cleanup. */
export async function diskOfBox(box: string): Promise<{ disk: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bw-bench-disk-'));
  await execa('tar', ['-xzf', box, '-C', dir, 'box.img']);
  return { disk: path.join(dir, 'box.img'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Status code of GET http://<host>/ at the VM's IP, from inside its namespace ('' when no answer). */
async function status(vm: VmHandle, host: string): Promise<string> {
  const result = await vm.exec(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-m', '5', '--resolve', `${host}:80:${vm.ip}`, `http://${host}/`], { timeoutMs: 15_000 });
  return result.stdout.trim();
}

/** Polls until the VM answers 200 for `host`; returns the time it did (epoch ms). */
export async function waitFor200(vm: VmHandle, host: string, timeoutMs = 600_000, signal?: AbortSignal): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    signal?.throwIfAborted();
    last = await status(vm, host);
    if (last === '200') return Date.now();
    if (Date.now() > deadline) throw new Error(`no HTTP 200 from ${host} after ${timeoutMs} ms (last status ${last || 'none'})`);
    await sleep(250);
  }
}

/**
 * Boots `disk` and runs `afterSsh` (if any) once SSH answers, then waits for the first 200.
 * The VM and its namespace are always stopped (by PID) before this returns.
 */
export async function bootAndWait(
  disk: string,
  log: (line: string) => void,
  options: { afterSsh?: (vm: VmHandle) => Promise<void>; host?: string; signal?: AbortSignal } = {},
): Promise<BootTimes & { extra: Record<string, number> }> {
  const { afterSsh, host = 'www.foobar.com', signal } = options;
  let qemuStart: number | undefined;
  const vm = await bootDisk({
    disk,
    ip: '192.168.56.10',
    sshTimeoutMs: 600_000,
    onLog: (line) => {
      if (line.startsWith('vm: qemu-system-x86_64')) qemuStart = Date.now();
      log(line.length > 160 ? `${line.slice(0, 160)}…` : line);
    },
  });
  // An abort stops the VM at once (the caller's await then fails on the dead SSH).
  const onAbort = (): void => { void vm.stop(); };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    const ready = Date.now();
    const start = qemuStart ?? ready - vm.bootMs;
    const extra: Record<string, number> = {};
    if (afterSsh) {
      const before = Date.now();
      await afterSsh(vm);
      extra.provisionMs = Date.now() - before;
    }
    const ok = await waitFor200(vm, host, 600_000, signal);
    return { sshMs: vm.bootMs, ipMs: ready - start, first200Ms: ok - start, extra };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await vm.stop();
  }
}

/**
 * Baseline B, "provision at boot": the plain base disk boots, then the stack's rendered
 * provisioners (vm kind) run over SSH — scripts/, files/ and app.tar.gz uploaded as the e2e
 * tests do, every script but the 9x-* cleanup ones — and the first-boot unit and the app are
 * started without a reboot. The guest's apt reaches the mirror through {@link startMirrorRelay}
 * (its namespace has no route out). Times are from QEMU's start.
 */
export async function provisionAtBoot(spec: ImageSpec, baseDisk: string, log: (line: string) => void, signal?: AbortSignal): Promise<BootTimes & { extra: Record<string, number> }> {
  const work = await mkdtemp(path.join(tmpdir(), 'bw-bench-b-'));
  try {
    const rendered = await renderImage(spec, { outDir: path.join(work, 'build'), base: 'debian-12', kind: 'vm', accelerator: 'tcg' });
    const scripts = rendered.plan.scripts.filter((script) => script.phase === 'stack').map((script) => script.path);
    return await bootAndWait(baseDisk, log, { signal, afterSsh: async (vm) => {
      // The VM's namespace has no route out: its apt reaches the mirror through a relay.
      const relay = await startMirrorRelay(vm.ns);
      try {
        await guest(vm, 'sudo tee /etc/apt/apt.conf.d/00bench-proxy >/dev/null', `Acquire::http::Proxy "${relay.guestProxy}";\n`);
        await uploadTree(vm, rendered.dir, ['scripts', 'files', 'app.tar.gz'], '/tmp/boxwright');
        for (const script of scripts) {
          signal?.throwIfAborted();
          log(`provision-at-boot: ${script}`);
          await guest(vm, `sudo env DEBIAN_FRONTEND=noninteractive bash /tmp/boxwright/${script}`);
        }
        log('provision-at-boot: starting nginx, the first-boot unit and the app');
        await guest(vm, 'sudo systemctl start nginx.service boxwright-firstboot.service boxwright-app.service');
      } finally {
        await relay.stop();
      }
    } });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
