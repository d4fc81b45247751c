/**
 * A private network namespace with its own libvirtd + virtlogd, for the lab e2e test.
 *
 * `ip netns exec NS` gives the daemons a network namespace (all 192.168.x bridges stay inside it)
 * and bind-mounts /etc/netns/NS/hosts over /etc/hosts. `unshare --mount` then gives them private
 * copies of libvirt's state folders (/etc/libvirt, /var/lib/libvirt, /run/libvirt, ...), so they
 * clash neither with a host libvirtd nor with another test. Commands enter both namespaces with
 * `nsenter --target <libvirtd pid> --mount --net`. Requires root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidAlive } from '../../lib/util/pid.js';

/** libvirt folders that get a private copy (bind mount) inside the namespace. */
const PRIVATE_DIRS: Record<string, string> = {
  etc: '/etc/libvirt',
  lib: '/var/lib/libvirt',
  run: '/run/libvirt',
  log: '/var/log/libvirt',
  cache: '/var/cache/libvirt',
};

/** A running namespace; {@link LabNetns.teardown} undoes everything it made. */
export interface LabNetns {
  name: string;
  /** Work folder holding the private libvirt state and pid files. */
  root: string;
  /** /etc/netns/<name>/hosts: the namespace's /etc/hosts. */
  hostsFile: string;
  libvirtdPid: number;
  virtlogdPid: number;
  /** Argument prefix that runs a command inside the namespaces: `[...prefix, cmd, ...args]`. */
  prefix: string[];
  teardown(): void;
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function readPid(path: string, timeoutMs = 15_000): number {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(path)) {
      const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (pid > 0) return pid;
    }
    spawnSync('sleep', ['0.2']);
  }
  throw new Error(`no pid in ${path} after ${timeoutMs} ms`);
}


/**
 * A copy of the /dev/kvm node (same major:minor) with the mode and group Debian's udev gives it
 * (0660 root:kvm), under `root`; undefined when there is no kvm group or the node cannot be made.
 */
function kvmNodeAsUdevMakesIt(root: string): string | undefined {
  const node = join(root, 'kvm');
  const made = spawnSync('sh', ['-c', 'getent group kvm >/dev/null && set -- $(stat -c "%t %T" /dev/kvm) && mknod -m 0660 "$0" c $((0x$1)) $((0x$2)) && chgrp kvm "$0"', node]);
  return made.status === 0 ? node : undefined;
}

/** Creates the namespace, its hosts file, and starts libvirtd + virtlogd inside it. */
export function startLabNetns(hostsContent: string): LabNetns {
  const name = `bw-lab-${randomBytes(4).toString('hex')}`;
  const root = mkdtempSync(join(tmpdir(), `${name}-`));
  chmodSync(root, 0o755); // qemu runs as libvirt-qemu and must reach the pool under root/lib
  const netnsDir = `/etc/netns/${name}`;
  const hostsFile = join(netnsDir, 'hosts');
  let libvirtdPid = 0;
  let virtlogdPid = 0;

  const teardown = (): void => {
    // Everything in our namespace is ours: libvirtd, virtlogd, dnsmasq, qemu.
    const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout?.split(/\s+/).filter(Boolean).map(Number) ?? [];
    for (const pid of new Set([...pids, libvirtdPid, virtlogdPid].filter((p) => p > 0))) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
    }
    const until = Date.now() + 10_000;
    while (Date.now() < until && pids.some(pidAlive)) spawnSync('sleep', ['0.2']);
    for (const pid of pids.filter(pidAlive)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    spawnSync('ip', ['netns', 'del', name]);
    rmSync(netnsDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  };

  try {
    sh('ip', ['netns', 'add', name]);
    sh('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    mkdirSync(netnsDir, { recursive: true });
    writeFileSync(hostsFile, hostsContent);

    const mounts: string[] = [];
    for (const [key, target] of Object.entries(PRIVATE_DIRS)) {
      const dir = join(root, key);
      if (key === 'etc') cpSync(target, dir, { recursive: true });
      else mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
      mounts.push(`mkdir -p ${target} && mount --bind ${dir} ${target}`);
    }
    mkdirSync(join(root, 'lib', 'images'), { recursive: true });
    mkdirSync(join(root, 'lib', 'qemu'), { recursive: true });
    // Without udev (this machine), /dev/kvm stays 0600 root:root, where Debian's udev rule makes it
    // 0660 root:kvm. libvirt then finds KVM "enabled when probing, but not available now" on every
    // call and probes QEMU again (4 s per API call, minutes per `vagrant up`). A copy of the node
    // with udev's mode, bind-mounted in the namespace only, makes its view consistent; the host's
    // /dev/kvm is not changed. Guests still run under TCG (the lab is told to use it).
    const kvmNode = existsSync('/dev/kvm') ? kvmNodeAsUdevMakesIt(root) : undefined;
    const script = [
      'set -e',
      ...mounts,
      ...(kvmNode ? [`mount --bind ${kvmNode} /dev/kvm`] : []),
      `virtlogd -d -p ${root}/virtlogd.pid`,
      `libvirtd -d -p ${root}/libvirtd.pid`,
    ].join('\n');
    sh('ip', ['netns', 'exec', name, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script]);
    virtlogdPid = readPid(join(root, 'virtlogd.pid'));
    libvirtdPid = readPid(join(root, 'libvirtd.pid'));
    const prefix = ['nsenter', `--target=${libvirtdPid}`, '--mount', '--net', '--'];
    const until = Date.now() + 30_000;
    while (spawnSync(prefix[0]!, [...prefix.slice(1), 'virsh', '-c', 'qemu:///system', 'version'], { stdio: 'ignore' }).status !== 0) {
      if (Date.now() > until) throw new Error('libvirtd in the namespace did not answer within 30 s');
      spawnSync('sleep', ['0.5']);
    }
    return { name, root, hostsFile, libvirtdPid, virtlogdPid, prefix, teardown };
  } catch (error) {
    teardown();
    throw error;
  }
}
