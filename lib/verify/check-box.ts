import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxwrightError } from '../errors.js';
import type { BuildManifest } from '../builder/manifest.js';
import { MANIFEST_FILE } from '../builder/manifest.js';
import { renderChecks } from '../render/checks.js';
import type { ImageSpec } from '../image/types.js';
import { bootDisk, canBootVms, type VmHandle } from './boot.js';
import { counterOf, guest, httpGet, uploadFiles } from './guest.js';

/** Options of {@link checkBox}. */
export interface CheckBoxOptions {
  /** The libvirt .box, or the build's out folder holding one box and its build-manifest.json. */
  box: string;
  /** Static IP of the VM inside its private namespace. @default the spec's network.ip */
  ip?: string;
  /** @default "tcg" */
  accel?: 'tcg' | 'kvm';
  /** How long the stack may take to answer 200 after SSH is up. @default 180000 */
  httpTimeoutMs?: number;
  onLog?: (line: string) => void;
}

/** What a boot check saw. */
export interface CheckBoxResult {
  /** qemu start → SSH answers. */
  bootMs: number;
  /** qemu start → first HTTP 200 for the hostname. */
  firstHttpMs: number;
  /** Lines of the in-image suite that passed / failed. */
  passed: string[];
  failed: string[];
}

/** The spec a box was built from, as recorded in its build-manifest.json. */
export async function manifestOf(box: string): Promise<BuildManifest> {
  const file = path.join(path.dirname(box), MANIFEST_FILE);
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new BoxwrightError('E_USAGE', `no ${MANIFEST_FILE} beside ${box}; check a box in the --out folder of its build`, { cause });
  });
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (cause) {
    throw new BoxwrightError('E_USAGE', `${file} is not valid JSON (${(cause as Error).message.slice(0, 80)}); rebuild the box (boxwright build ... --out ${path.dirname(file)}) to write it again`, { path: file, cause });
  }
  const m = manifest as Partial<BuildManifest> | null;
  if (typeof m !== 'object' || m === null || typeof m.box?.file !== 'string' || typeof m.provider !== 'string' || typeof m.spec !== 'object' || m.spec === null) {
    throw new BoxwrightError('E_USAGE', `${file} is not a build manifest (no box.file, provider and spec); rebuild the box (boxwright build ... --out ${path.dirname(file)}) to write it again`, { path: file });
  }
  return m as BuildManifest;
}

/** The box file of `boxOrDir` (a .box, or an out folder whose build-manifest.json names it), absolute. */
export async function resolveBox(boxOrDir: string): Promise<string> {
  if (boxOrDir.endsWith('.box')) return path.resolve(boxOrDir);
  const manifest = await manifestOf(path.join(path.resolve(boxOrDir), 'x.box'));
  return path.join(path.resolve(boxOrDir), manifest.box.file);
}

/**
 * Boot-checks a built libvirt box for real: its disk boots under QEMU in a private network
 * namespace on the lab IP; `http://<hostname>/` must answer 200 twice through nginx → app →
 * database with the visit counter growing, `/healthz` 200, an unknown Host closed without a reply;
 * then the in-image check suite runs inside the VM. Everything started is stopped by PID.
 * Needs root, qemu and iproute2.
 *
 * @throws BoxwrightError `E_CHECK_FAILED` listing what failed; `E_HOST` when the host cannot boot VMs.
 */
export async function checkBox(options: CheckBoxOptions): Promise<CheckBoxResult> {
  const log = options.onLog ?? (() => {});
  const box = await resolveBox(options.box);
  if (!existsSync(box)) throw new BoxwrightError('E_USAGE', `box ${box} does not exist; build it first`);
  const manifest = await manifestOf(box);
  if (manifest.provider !== 'libvirt') throw new BoxwrightError('E_USAGE', `only libvirt boxes can be boot-checked here (this one is for ${manifest.provider})`);
  if (!canBootVms()) throw new BoxwrightError('E_HOST', 'boot checks need root, qemu-system-x86_64 and qemu-img; run as root after scripts/install-host-deps.sh');
  const spec: ImageSpec = { ...manifest.spec, dir: path.dirname(box) };
  const work = await mkdtemp(path.join(tmpdir(), 'boxwright-check-'));
  let vm: VmHandle | undefined;
  try {
    await execa('tar', ['-xzf', box, '-C', work, 'box.img']);
    vm = await bootDisk({ disk: path.join(work, 'box.img'), ip: options.ip ?? spec.network.ip, accel: options.accel ?? 'tcg', onLog: log });
    const started = Date.now() - vm.bootMs;
    const failed: string[] = [];
    const deadline = Date.now() + (options.httpTimeoutMs ?? 180_000);
    let first = await httpGet(vm, spec.hostname, '/');
    while (first.status !== '200' && Date.now() < deadline) {
      await sleep(1000);
      first = await httpGet(vm, spec.hostname, '/');
    }
    const firstHttpMs = Date.now() - started;
    log(`check: first 200 after ${(firstHttpMs / 1000).toFixed(1)} s`);
    if (first.status !== '200') failed.push(`GET http://${spec.hostname}/ gave ${first.status || `no reply (curl ${first.exitCode})`}`);
    const second = await httpGet(vm, spec.hostname, '/');
    if (!(counterOf(second.body) > counterOf(first.body))) failed.push(`the visit counter did not grow (${counterOf(first.body)} → ${counterOf(second.body)})`);
    const health = await httpGet(vm, spec.hostname, '/healthz');
    if (health.status !== '200') failed.push(`GET /healthz gave ${health.status || 'no reply'}`);
    const unknown = await httpGet(vm, 'unknown.invalid', '/');
    if (unknown.exitCode !== 52) failed.push(`an unknown Host got ${unknown.status || `curl exit ${unknown.exitCode}`} instead of a closed connection`);

    await uploadFiles(vm, '/tmp/boxwright-checks', await renderChecks(spec, { os: manifest.base.os, kind: manifest.kind }));
    const suite = await vm.ssh('sudo bash /tmp/boxwright-checks/verify.sh', { timeoutMs: 300_000 });
    for (const line of suite.stdout.split('\n')) if (line.trim()) log(`check: ${line}`);
    const passed = suite.stdout.split('\n').filter((line) => line.startsWith('ok '));
    failed.push(...failedChecks(suite.stdout));
    if (suite.exitCode !== 0 && failed.length === 0) failed.push(`verify.sh exited ${suite.exitCode}: ${suite.stderr.trim()}`);
    if (failed.length > 0) {
      throw new BoxwrightError('E_CHECK_FAILED', `the box failed its boot check:\n  ${failed.join('\n  ')}`);
    }
    return { bootMs: vm.bootMs, firstHttpMs, passed, failed };
  } finally {
    await vm?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The failed checks of a verify.sh run, each with the detail lines that follow it (`#   expected: …`,
 * `#   actual: …`), so that the error says what the box had, not only which check failed.
 */
export function failedChecks(tap: string): string[] {
  const failed: string[] = [];
  let open = false;
  for (const line of tap.split('\n')) {
    if (line.startsWith('not ok ')) {
      failed.push(line);
      open = true;
    } else if (open && line.startsWith('#   ')) {
      failed[failed.length - 1] += `\n    ${line.slice(4).trim()}`;
    } else {
      open = false;
    }
  }
  return failed;
}
