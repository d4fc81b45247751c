/**
 * `vagrant up` → first HTTP 200, measured the way a user meets the project: the repository's
 * Vagrantfile (libvirt, TCG) in a private network namespace with its own libvirtd (the lab e2e
 * test's {@link startLabNetns}), `vagrant box add` first (not timed into `up`), then `vagrant up`
 * and `curl http://www.foobar.com/` by name from inside the namespace until it answers 200.
 *
 * Baseline C, "provision at up": the plain Debian base packed as a libvirt box, booted by
 * bench/baselines/provision-at-up.Vagrantfile, whose file + shell provisioners run the same
 * rendered stack scripts at `vagrant up`. Its apt reaches the mirror through the relay in the
 * namespace (the namespace has no route out).
 */
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { copyFile, link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { renderImage } from '../lib/render/render-image.js';
import type { ImageSpec } from '../lib/image/types.js';
import { cleanEnv, makeTempLab } from '../test/lab/helpers.js';
import { type LabNetns, startLabNetns } from '../test/e2e/lab-netns.js';
import { startMirrorRelay } from './mirror-relay.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const IP = '192.168.56.10';
const HOST = 'www.foobar.com';
/** vagrant-libvirt's management network gateway, where the guest reaches the mirror relay. */
const MANAGEMENT_GATEWAY = '192.168.121.1';

/** What one `vagrant up` measured. */
export interface UpTimes {
  /** `vagrant box add` of the .box (once per box and machine; not part of `up`). */
  boxAddMs: number;
  /** `vagrant up` until it returned (cold: the box volume is first copied into the libvirt pool). */
  upMs: number;
  /** `vagrant up` start → first HTTP 200 for www.foobar.com by name. */
  first200Ms: number;
  /** Same, for a second `vagrant up` after `vagrant destroy -f` (the box volume is in the pool). */
  warmFirst200Ms?: number;
}

/** Status of GET http://www.foobar.com/ from inside the namespace, by name ('' when none). */
function statusByName(ns: LabNetns, resolveIp?: string): string {
  const resolve = resolveIp ? ['--resolve', `${HOST}:80:${resolveIp}`] : [];
  const r = spawnSync(ns.prefix[0]!, [...ns.prefix.slice(1), 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-m', '5', ...resolve, `http://${HOST}/`],
    { encoding: 'utf8', timeout: 15_000 });
  return (r.stdout ?? '').trim();
}

async function until200(ns: LabNetns, started: number, signal?: AbortSignal, resolveIp?: string, timeoutMs = 600_000): Promise<number> {
  let last = '';
  for (;;) {
    signal?.throwIfAborted();
    last = statusByName(ns, resolveIp);
    if (last === '200') return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`no HTTP 200 from ${HOST} within ${timeoutMs} ms (last status ${last || 'none'})`);
    await sleep(250);
  }
}

/** Runs a command inside the namespace, streaming its lines to `log`; throws on a non-zero exit. */
async function inNs(ns: LabNetns, env: NodeJS.ProcessEnv, cwd: string, args: string[], log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const child = execa(ns.prefix[0]!, [...ns.prefix.slice(1), ...args], { env, cwd, extendEnv: false, reject: false, stdin: 'ignore', all: true, buffer: false, cancelSignal: signal, forceKillAfterDelay: 30_000 });
  child.all?.setEncoding('utf8');
  let rest = '';
  const tail: string[] = [];
  child.all?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      log(line);
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  });
  const result = await child;
  if (result.exitCode !== 0) throw new Error(`${args.slice(0, 3).join(' ')} failed (${result.exitCode ?? result.signal}):\n${tail.join('\n')}`);
}

interface LabRun {
  ns: LabNetns;
  run(args: string[]): Promise<void>;
  close(): Promise<void>;
}

/** A namespace with libvirtd, a temp lab folder (the given Vagrantfile) and a private VAGRANT_HOME. */
async function openLab(vagrantfile: string | undefined, extraEnv: Record<string, string>, log: (line: string) => void, signal?: AbortSignal): Promise<LabRun> {
  const ns = startLabNetns(`127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  const lab = makeTempLab();
  if (vagrantfile) await copyFile(vagrantfile, path.join(lab.dir, 'Vagrantfile'));
  // nsenter --mount does not keep the working folder: VAGRANT_CWD says where the Vagrantfile is.
  const env = cleanEnv({ VAGRANT_HOME: lab.vagrantHome, VAGRANT_CWD: lab.dir, ...extraEnv });
  return {
    ns,
    run: (args) => inNs(ns, env, lab.dir, args, log, signal),
    async close() {
      await inNs(ns, env, lab.dir, ['vagrant', 'destroy', '-f'], log).catch((error: unknown) => log(`destroy: ${String(error)}`));
      ns.teardown();
      lab.cleanup();
    },
  };
}

/** One `vagrant up` then polling; returns up and first-200 times from the start of `up`. */
async function upAndWait(lab: LabRun, signal?: AbortSignal, resolveIp?: string): Promise<{ upMs: number; first200Ms: number }> {
  const started = Date.now();
  await lab.run(['vagrant', 'up', '--provider=libvirt']);
  const upMs = Date.now() - started;
  return { upMs, first200Ms: await until200(lab.ns, started, signal, resolveIp) };
}

/**
 * The built box through the repository's Vagrantfile: `vagrant box add`, then `vagrant up` → first
 * 200 by name through the managed hosts block (the namespace's /etc/hosts), then once more after
 * `vagrant destroy -f` (warm: the box volume is already in the libvirt pool).
 */
export async function vagrantUpTo200(box: string, log: (line: string) => void, signal?: AbortSignal): Promise<UpTimes> {
  const lab = await openLab(undefined, {
    BOXWRIGHT_BOX: 'foobar-web', BOXWRIGHT_ACCELERATOR: 'tcg', BOXWRIGHT_IP: IP, BOXWRIGHT_HOSTS_PLUGIN: 'none',
  }, log, signal);
  try {
    const addStarted = Date.now();
    await lab.run(['vagrant', 'box', 'add', '--name', 'foobar-web', path.resolve(box)]);
    const boxAddMs = Date.now() - addStarted;
    const cold = await upAndWait(lab, signal);
    log(`vagrant up: ${cold.upMs} ms, first 200 at ${cold.first200Ms} ms`);
    await lab.run(['vagrant', 'destroy', '-f']);
    const warm = await upAndWait(lab, signal);
    log(`vagrant up (warm): ${warm.upMs} ms, first 200 at ${warm.first200Ms} ms`);
    return { boxAddMs, upMs: cold.upMs, first200Ms: cold.first200Ms, warmFirst200Ms: warm.first200Ms };
  } finally {
    await lab.close();
  }
}

/** Packs a qcow2 as a libvirt .box (uncompressed tar) in `dir`; returns its path. */
export async function libvirtBoxOf(disk: string, dir: string): Promise<string> {
  const work = path.join(dir, 'box');
  await mkdir(work, { recursive: true });
  await link(disk, path.join(work, 'box.img')).catch(() => copyFile(disk, path.join(work, 'box.img')));
  const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', disk])).stdout) as { 'virtual-size': number };
  await writeFile(path.join(work, 'metadata.json'), `${JSON.stringify({ provider: 'libvirt', format: 'qcow2', virtual_size: Math.ceil(info['virtual-size'] / 2 ** 30) })}\n`);
  const box = path.join(dir, 'base.box');
  await execa('tar', ['-cf', box, '-C', work, 'metadata.json', 'box.img']);
  await rm(work, { recursive: true, force: true });
  return box;
}

/**
 * Baseline C: the plain base box, provisioned at `vagrant up` with the stack's rendered scripts
 * (bench/baselines/provision-at-up.Vagrantfile). Times are from the start of `vagrant up`.
 */
export async function provisionAtUp(spec: ImageSpec, baseDisk: string, log: (line: string) => void, signal?: AbortSignal): Promise<UpTimes> {
  const work = await mkdtemp(path.join(tmpdir(), 'bw-bench-c-'));
  let relay: Awaited<ReturnType<typeof startMirrorRelay>> | undefined;
  let lab: LabRun | undefined;
  try {
    const rendered = await renderImage(spec, { outDir: path.join(work, 'build'), base: 'debian-12', kind: 'vm', accelerator: 'tcg' });
    const staging = path.join(work, 'staging');
    await mkdir(staging);
    for (const entry of ['scripts', 'files', 'app.tar.gz']) {
      await execa('cp', ['-a', path.join(rendered.dir, entry), staging]);
    }
    const scripts = rendered.plan.scripts.filter((script) => script.phase === 'stack').map((script) => script.name);
    const box = await libvirtBoxOf(baseDisk, work);
    lab = await openLab(path.join(repoRoot, 'bench/baselines/provision-at-up.Vagrantfile'), {
      BW_BOX: 'bw-plain-base', BW_IP: IP, BW_STAGING: staging, BW_SCRIPTS: scripts.join(' '),
      BW_PROXY: `http://${MANAGEMENT_GATEWAY}:3142/`,
    }, log, signal);
    // The guest's apt reaches the mirror through the relay on the management network's gateway.
    relay = await startMirrorRelay(lab.ns.name, 'deb.debian.org', 3142, '0.0.0.0');
    const addStarted = Date.now();
    await lab.run(['vagrant', 'box', 'add', '--name', 'bw-plain-base', box]);
    const boxAddMs = Date.now() - addStarted;
    const cold = await upAndWait(lab, signal, IP);
    log(`provision at up: vagrant up ${cold.upMs} ms, first 200 at ${cold.first200Ms} ms`);
    return { boxAddMs, upMs: cold.upMs, first200Ms: cold.first200Ms };
  } finally {
    await lab?.close();
    await relay?.stop();
    await rm(work, { recursive: true, force: true });
  }
}
