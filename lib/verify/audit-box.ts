import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxwrightError } from '../errors.js';
import { sha256File } from '../util/hash.js';
import { bootDisk, canBootVms, type VmHandle } from './boot.js';
import { manifestOf, resolveBox } from './check-box.js';
import { httpGet } from './guest.js';
import { type LynisReport, runLynis, type RunLynisOptions } from './lynis.js';

/** Options of {@link auditBox}. */
export interface AuditBoxOptions extends RunLynisOptions {
  /** The libvirt .box, or the build's out folder holding one box and its build-manifest.json. */
  box: string;
  /** Static IP of the VM inside its private namespace. @default the spec's network.ip */
  ip?: string;
  /** @default "tcg" */
  accel?: 'tcg' | 'kvm';
  /** Prefix of the namespace name. @default "aud" */
  nsPrefix?: string;
  /** How long the VM may take to answer SSH (a loaded host boots slowly under TCG). @default 900000 */
  sshTimeoutMs?: number;
  /** How long the stack may take to answer 200 after SSH is up (Lynis audits the running stack). @default 300000 */
  httpTimeoutMs?: number;
}

/** What an audit of a box found, as written to its JSON file. */
export interface AuditResult {
  /** The box audited and its sha256. */
  box: string;
  sha256: string;
  /** Build kind and base OS of the box, from its build manifest. */
  kind: string;
  os: string;
  /** ISO time the audit started. */
  date: string;
  /** Tests or groups the run was limited to (empty: the full audit, whose index is the one that counts). */
  tests: string[];
  groups: string[];
  report: LynisReport;
  /** qemu start → SSH; → first HTTP 200; Lynis's own wall time. */
  bootMs: number;
  firstHttpMs: number;
  lynisMs: number;
}

/** Waits until the box answers 200 for its hostname (firstboot done, the stack running), or throws. */
async function waitForStack(vm: VmHandle, hostname: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await httpGet(vm, hostname, '/');
    if (answer.status === '200') return;
    if (Date.now() > deadline) throw new BoxwrightError('E_CHECK_FAILED', `the box did not answer 200 for ${hostname} within ${timeoutMs} ms (last: ${answer.status || `curl ${answer.exitCode}`}); run boxwright check on it first`);
    await sleep(1000);
  }
}

/**
 * Gives the guest a time source: its namespace has no route to any NTP server, so Lynis would
 * report that systemd-timesyncd never synchronised (TIME-3185), a fact of the harness, not of the
 * box (a lab's VM reaches the Debian pool through its NAT network). An SNTP server runs in the
 * namespace on 127.0.0.1:123 (the guest's 10.0.2.2 through QEMU's user networking), and a
 * timesyncd drop-in points the guest at it; returns the server process to stop.
 */
async function provideTime(vm: VmHandle, log: (line: string) => void): Promise<{ stop(): void }> {
  const self = fileURLToPath(import.meta.url);
  const server = execa('ip', ['netns', 'exec', vm.ns, process.execPath, ...process.execArgv, path.join(path.dirname(self), `sntp${path.extname(self)}`), '123'], { reject: false, stdin: 'ignore' });
  const stop = (): void => { server.kill('SIGKILL'); };
  const hasTimesyncd = await vm.ssh('systemctl cat systemd-timesyncd.service >/dev/null 2>&1');
  if (hasTimesyncd.exitCode !== 0) return { stop };
  const dropIn = '[Time]\nNTP=10.0.2.2\nPollIntervalMaxSec=64\n';
  const configure = await vm.ssh('sudo mkdir -p /etc/systemd/timesyncd.conf.d && sudo tee /etc/systemd/timesyncd.conf.d/90-audit-harness.conf >/dev/null && sudo systemctl restart systemd-timesyncd', { input: dropIn });
  if (configure.exitCode !== 0) throw new BoxwrightError('E_CHECK_FAILED', `could not point timesyncd at the harness's time server: ${configure.stderr.trim()}`);
  for (let i = 0; i < 60; i += 1) {
    if ((await vm.ssh('test -e /run/systemd/timesync/synchronized')).exitCode === 0) {
      log('audit: the guest clock is synchronised with the harness time server');
      return { stop };
    }
    await sleep(2000);
  }
  stop();
  throw new BoxwrightError('E_CHECK_FAILED', 'systemd-timesyncd did not synchronise with the harness time server (10.0.2.2:123) within 120 s');
}

/**
 * Boots a built libvirt box in a private network namespace (as {@link checkBox} does), waits for
 * its stack to answer, then runs the host's Lynis inside it ({@link runLynis}). The VM, its overlay
 * and its namespace are removed afterwards. Needs root, qemu, iproute2 and the host's `lynis`.
 *
 * @returns the report with the hardening index, warnings and suggestions; plus the raw report and
 * log through `onRaw` when given.
 */
export async function auditBox(options: AuditBoxOptions & { onRaw?: (raw: { reportText: string; logText: string; output: string }) => Promise<void> | void }): Promise<AuditResult> {
  const log = options.onLog ?? (() => {});
  if (!canBootVms()) throw new BoxwrightError('E_HOST', 'the audit boots the box: run it as root with qemu-system-x86_64 and qemu-img installed (scripts/install-host-deps.sh)');
  const box = await resolveBox(options.box);
  if (!existsSync(box)) throw new BoxwrightError('E_USAGE', `box ${box} does not exist; build it first`);
  const manifest = await manifestOf(box);
  if (manifest.provider !== 'libvirt') throw new BoxwrightError('E_USAGE', `only libvirt boxes can be audited here (this one is for ${manifest.provider})`);
  const date = new Date().toISOString();
  const sha256 = await sha256File(box);
  const work = await mkdtemp(path.join(tmpdir(), 'boxwright-audit-'));
  let vm: VmHandle | undefined;
  let time: { stop(): void } | undefined;
  try {
    await execa('tar', ['-xzf', box, '-C', work, 'box.img']);
    vm = await bootDisk({ disk: path.join(work, 'box.img'), ip: options.ip ?? manifest.spec.network.ip, accel: options.accel ?? 'tcg', nsPrefix: options.nsPrefix ?? 'aud', sshTimeoutMs: options.sshTimeoutMs ?? 900_000, onLog: log });
    const started = Date.now() - vm.bootMs;
    await waitForStack(vm, manifest.spec.hostname, options.httpTimeoutMs ?? 300_000);
    const firstHttpMs = Date.now() - started;
    log(`audit: first 200 after ${(firstHttpMs / 1000).toFixed(1)} s`);
    time = await provideTime(vm, log);
    const run = await runLynis(vm, options);
    await options.onRaw?.({ reportText: run.reportText, logText: run.logText, output: run.output });
    return {
      box, sha256, kind: manifest.kind, os: manifest.base.os, date,
      tests: [...(options.tests ?? [])], groups: [...(options.groups ?? [])],
      report: run.report, bootMs: vm.bootMs, firstHttpMs, lynisMs: run.ms,
    };
  } finally {
    time?.stop();
    await vm?.stop();
    await rm(work, { recursive: true, force: true });
  }
}
