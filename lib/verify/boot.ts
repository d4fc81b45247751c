/**
 * Boots a qcow2 under QEMU (TCG) inside a private network namespace,
 * with NIC1 = user-mode networking (SSH forwarded to the namespace's loopback) and NIC2 = a tap on
 * a bridge `br0` 192.168.56.1/24 inside the namespace, configured in the guest with a static IP the
 * way Vagrant does (`50-vagrant-<iface>.network`). Nothing is bound or routed outside the namespace.
 *
 * Everything it starts is stopped by `stop()` (qemu by PID, overlay, namespace); a process exit
 * handler does the same for VMs a crashed test did not stop.
 */
import { execa } from 'execa';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findVagrantInsecurePrivateKey } from '../base/keys.js';

/** Options of {@link bootDisk}. */
export interface BootOptions {
  /** The qcow2 to boot; it is never written (a throw-away overlay takes the writes). */
  disk: string;
  /** Static IPv4 given to NIC2 on the namespace bridge 192.168.56.0/24. @default "192.168.56.10" */
  ip?: string;
  /** Memory in MiB. @default 1024 */
  memory?: number;
  /** Virtual CPUs. @default 2 */
  cpus?: number;
  /** QEMU accelerator. @default "tcg" */
  accel?: 'tcg' | 'kvm';
  /** How long to wait for SSH after starting QEMU. @default 300000 */
  sshTimeoutMs?: number;
  /** Private key of the `vagrant` user. @default Vagrant's insecure key found in the host's vagrant package */
  privateKey?: string;
  /** Prefix of the network namespace's name (`<prefix>-<random hex>`), so a caller's namespaces are told apart. @default "bw" */
  nsPrefix?: string;
  /** Called with progress lines. */
  onLog?: (line: string) => void;
}

/** Output of a command run in the guest or in the namespace. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A running VM. */
export interface VmHandle {
  /** Name of the network namespace holding the VM. */
  ns: string;
  /** Guest's static IP on the namespace bridge. */
  ip: string;
  /** Guest interface name of NIC2 (the static one). */
  iface: string;
  /** MAC address of NIC2. */
  mac: string;
  /** Path of the serial console log. */
  serialLog: string;
  /** Milliseconds from QEMU start until SSH answered. */
  bootMs: number;
  /** Run a shell command as `vagrant` over SSH. */
  ssh(command: string, options?: { input?: string; timeoutMs?: number }): Promise<CommandResult>;
  /** Run a command inside the namespace (e.g. `['ping', '-c1', ip]`). */
  exec(command: readonly string[], options?: { timeoutMs?: number }): Promise<CommandResult>;
  /** Stop QEMU (SIGTERM, then SIGKILL), delete the overlay and the namespace. Safe to call twice. */
  stop(): Promise<void>;
}

const SSH_PORT = 2222;
const live = new Set<{ pid?: number; ns: string; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const vm of live) {
      try {
        if (vm.pid !== undefined) process.kill(vm.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      try {
        execFileSync('ip', ['netns', 'del', vm.ns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  });
}

/** Vagrant's insecure private key shipped with the host's vagrant package, or undefined. */
export const findVagrantPrivateKey = (): Promise<string | undefined> => findVagrantInsecurePrivateKey();

/** True when this host can run the harness (root, ip, qemu). */
export function canBootVms(): boolean {
  return process.getuid?.() === 0 && ['/usr/bin/qemu-system-x86_64', '/usr/bin/qemu-img'].every((p) => existsSync(p));
}

function randomMac(prefix: string): string {
  const bytes = [...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0'));
  return `${prefix}:${bytes.join(':')}`;
}

async function run(file: string, args: readonly string[], input?: string, timeoutMs = 120_000): Promise<CommandResult> {
  const result = await execa(file, args, { reject: false, timeout: timeoutMs, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
  return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? (result.timedOut ? 124 : 1) };
}

async function must(file: string, args: readonly string[]): Promise<string> {
  const result = await run(file, args);
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.exitCode}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** The line of a guest's serial log that says its kernel panicked, if one does. Pure. */
export function kernelPanicLine(serial: string): string | undefined {
  return serial.split(/\r?\n/).find((line) => line.includes('Kernel panic - not syncing'))?.trim();
}

/**
 * Name of the guest's interface with MAC `mac` (from `ip -o link show` over SSH). Asks up to
 * `attempts` times, 2 s apart: the first SSH command after the boot came back empty once under TCG
 * on a loaded host (the audit of a hardened box), though the probe before it had passed.
 */
export async function guestInterface(
  ssh: (command: string) => Promise<CommandResult>, mac: string, attempts = 5, pauseMs = 2_000,
): Promise<string> {
  let last: CommandResult | undefined;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(pauseMs);
    last = await ssh('ip -o link show');
    const line = last.stdout.split('\n').find((l) => l.toLowerCase().includes(mac));
    const iface = line?.split(':')[1]?.trim().split('@')[0];
    if (iface !== undefined && /^[a-z0-9]+$/.test(iface)) return iface;
  }
  throw new Error(`no guest interface with MAC ${mac} after ${attempts} tries (ip -o link show: exit ${last?.exitCode}):\n${last?.stdout}${last?.stderr}`);
}

/**
 * Boot `disk` in a fresh network namespace and wait until SSH answers and NIC2 carries `ip`.
 * Call `stop()` when done (in ava: `t.teardown(() => vm.stop())`, or use {@link bootDiskFor}).
 *
 * Under TCG a guest kernel that panics while booting is booted once more from a fresh overlay:
 * QEMU's emulation has faulted that way here (Debian 13's 6.12 kernel, `devcgroup_check_permission`,
 * once in a CI run; the same disk then booted every time), and a box that really panics does so
 * again. Under KVM, and on any other failure, the first error is the result.
 */
export async function bootDisk(options: BootOptions): Promise<VmHandle> {
  const log = options.onLog ?? (() => {});
  const attempts = (options.accel ?? 'tcg') === 'tcg' ? 2 : 1;
  for (let attempt = 1; ; attempt++) {
    const result = await bootOnce(options);
    if ('vm' in result) return result.vm;
    if (attempt >= attempts) throw new Error(`the guest kernel panicked while booting (${result.panic}); serial log tail:\n${result.tail}`);
    log(`vm: the guest kernel panicked while booting under TCG (${result.panic}); booting again from a fresh overlay`);
  }
}

/** One boot: the running VM, or the panic line and serial log tail of a guest whose kernel panicked. */
async function bootOnce(options: BootOptions): Promise<{ vm: VmHandle } | { panic: string; tail: string }> {
  const log = options.onLog ?? (() => {});
  const ip = options.ip ?? '192.168.56.10';
  if (!/^192\.168\.56\.(\d{1,3})$/.test(ip) || ip === '192.168.56.1') throw new Error(`ip must be in 192.168.56.2-254, got ${ip}`);
  const prefix = options.nsPrefix ?? 'bw';
  if (!/^[a-z][a-z0-9]{0,5}$/.test(prefix)) throw new Error(`nsPrefix must be 1-6 lowercase letters or digits, starting with a letter, got ${prefix}`);
  const ns = `${prefix}-${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(path.join(tmpdir(), `${ns}-`));
  const state: { pid?: number; ns: string; dir: string } = { ns, dir };
  live.add(state);
  installExitHook();
  const overlay = path.join(dir, 'overlay.qcow2');
  const serialLog = path.join(dir, 'serial.log');
  const keySource = options.privateKey ?? (await findVagrantPrivateKey());
  let child: ChildProcess | undefined;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(5_000)]);
      }
    }
    await run('ip', ['netns', 'del', ns]);
    await rm(dir, { recursive: true, force: true });
    live.delete(state);
  };

  try {
    if (keySource === undefined) throw new Error('no private key: install vagrant or pass privateKey');
    const key = path.join(dir, 'id_vagrant');
    await copyFile(keySource, key);
    await chmod(key, 0o600);

    log(`vm: namespace ${ns}`);
    await must('ip', ['netns', 'add', ns]);
    for (const args of [
      ['link', 'set', 'lo', 'up'],
      ['link', 'add', 'br0', 'type', 'bridge'],
      ['addr', 'add', '192.168.56.1/24', 'dev', 'br0'],
      ['link', 'set', 'br0', 'up'],
      ['tuntap', 'add', 'dev', 'tap0', 'mode', 'tap'],
      ['link', 'set', 'tap0', 'master', 'br0'],
      ['link', 'set', 'tap0', 'up'],
    ]) {
      await must('ip', ['-n', ns, ...args]);
    }

    await must('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', path.resolve(options.disk), overlay]);
    const mac1 = randomMac('52:54:00');
    const mac2 = randomMac('52:54:56');
    const qemuArgs = [
      '-accel', options.accel ?? 'tcg',
      '-cpu', 'qemu64',
      '-machine', 'pc',
      '-m', String(options.memory ?? 1024),
      '-smp', String(options.cpus ?? 2),
      '-display', 'none',
      '-monitor', 'none',
      '-serial', `file:${serialLog}`,
      '-drive', `file=${overlay},if=virtio,format=qcow2,discard=unmap`,
      '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${SSH_PORT}-:22`,
      '-device', `virtio-net-pci,netdev=n0,mac=${mac1}`,
      '-netdev', 'tap,id=n1,ifname=tap0,script=no,downscript=no',
      '-device', `virtio-net-pci,netdev=n1,mac=${mac2}`,
    ];
    log(`vm: qemu-system-x86_64 ${qemuArgs.join(' ')}`);
    const started = Date.now();
    // `ip netns exec` execs qemu in place: the child's PID is qemu's.
    const qemu = execa('ip', ['netns', 'exec', ns, 'qemu-system-x86_64', ...qemuArgs], { reject: false, stdin: 'ignore', buffer: true });
    child = qemu;
    state.pid = qemu.pid;
    let qemuExit: string | undefined;
    void qemu.then((r) => {
      qemuExit = `qemu exited (${r.exitCode ?? r.signal}): ${String(r.stderr).trim()}`;
    });

    const sshBase = [
      'netns', 'exec', ns, 'ssh', '-i', key, '-p', String(SSH_PORT),
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=5',
      'vagrant@127.0.0.1',
    ];
    const ssh = (command: string, opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> =>
      run('ip', [...sshBase, command], opts.input, opts.timeoutMs);
    const exec = (command: readonly string[], opts: { timeoutMs?: number } = {}): Promise<CommandResult> =>
      run('ip', ['netns', 'exec', ns, ...command], undefined, opts.timeoutMs);

    const deadline = started + (options.sshTimeoutMs ?? 300_000);
    for (;;) {
      if (qemuExit !== undefined) throw new Error(qemuExit);
      const probe = await ssh('true', { timeoutMs: 20_000 });
      if (probe.exitCode === 0) break;
      const panic = kernelPanicLine(await readFile(serialLog, 'utf8').catch(() => ''));
      if (panic !== undefined) {
        const serialTail = await tail(serialLog);
        await stop();
        return { panic, tail: serialTail };
      }
      if (Date.now() > deadline) throw new Error(`no SSH after ${options.sshTimeoutMs ?? 300_000} ms; serial log tail:\n${await tail(serialLog)}`);
      await sleep(2_000);
    }
    const bootMs = Date.now() - started;
    log(`vm: ssh up after ${(bootMs / 1000).toFixed(1)} s`);

    const iface = await guestInterface(ssh, mac2);
    const network = `[Match]\nName=${iface}\n\n[Network]\nAddress=${ip}/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`;
    const configure = await ssh(
      `sudo tee /etc/systemd/network/50-vagrant-${iface}.network >/dev/null && sudo networkctl reload && sudo networkctl reconfigure ${iface}`,
      { input: network },
    );
    if (configure.exitCode !== 0) throw new Error(`could not configure ${iface}: ${configure.stderr}`);
    for (let i = 0; ; i++) {
      const addr = await ssh(`ip -4 -o addr show dev ${iface}`);
      if (addr.stdout.includes(`${ip}/24`)) break;
      if (i >= 30) throw new Error(`${iface} did not get ${ip}: ${addr.stdout}`);
      await sleep(1_000);
    }
    log(`vm: ${iface} has ${ip}`);
    return { vm: { ns, ip, iface, mac: mac2, serialLog, bootMs, ssh, exec, stop } };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Minimal view of an ava test context (only teardown and log are used). */
export interface TeardownContext {
  teardown(fn: () => Promise<void> | void): void;
  log(...values: unknown[]): void;
}

/** {@link bootDisk}, with `stop()` registered as the test's teardown (runs even when it fails). */
export async function bootDiskFor(t: TeardownContext, options: BootOptions): Promise<VmHandle> {
  const vm = await bootDisk({ onLog: (line) => t.log(line), ...options });
  t.teardown(() => vm.stop());
  return vm;
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no serial log)';
  }
}
