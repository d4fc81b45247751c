/**
 * A lab of the repository's Vagrantfile brought up for real in a private network namespace (its
 * own libvirtd, lab-netns.ts), with helpers to run commands and the CLI in there. Shared by the
 * deploy and ha e2e tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, makeTempLab, root, type TempLab } from '../lab/helpers.js';
import { startLabNetns, type LabNetns } from './lab-netns.js';
import { imageDir } from './support.js';

/** Output of a command run in the namespace. */
export interface NsResult {
  status: number | null;
  stdout: string;
  /** stdout and stderr. */
  out: string;
}

/** A lab folder with its namespace. */
export interface RunningLab {
  ns: LabNetns;
  lab: TempLab;
  env: NodeJS.ProcessEnv;
  /** Runs a command inside the namespace, in the lab folder. */
  inNs(cmd: string, args: string[], timeoutMs?: number, extraEnv?: Record<string, string>): NsResult;
  /** Starts a command inside the namespace without waiting (stdout streamed to onLine). */
  spawnInNs(cmd: string, args: string[], onLine: (line: string) => void): { stop(): void; exited: Promise<number | null> };
  /** Runs `node bin/boxwright.js ...` inside the namespace. */
  cli(args: string[], timeoutMs?: number): NsResult;
  /** Runs a shell command in a machine (`vagrant ssh NAME -c`). */
  ssh(machine: string, command: string, timeoutMs?: number): NsResult;
  /** `curl` of the site's URL with its Host header, from inside the namespace. */
  curl(extra?: string[]): NsResult;
  teardown(): void;
}

/** Options of {@link startLab}. */
export interface StartLabOptions {
  hosts: string;
  ip: string;
  env?: Record<string, string>;
}

export function startLab(options: StartLabOptions): RunningLab {
  const ns = startLabNetns(options.hosts);
  const lab = makeTempLab();
  // Vagrant reads VAGRANT_HOME/Vagrantfile under the lab's own. On a busy host a TCG guest can
  // take longer than Vagrant's 300 s to boot, and longer than its 15 s to finish one SSH
  // handshake (Vagrant then leaves that connection hanging and tries again, forever): the tests
  // wait up to 20 minutes for the boot and 120 s for a handshake.
  writeFileSync(join(lab.vagrantHome, 'Vagrantfile'), "Vagrant.configure('2') { |c| c.vm.boot_timeout = 1200; c.ssh.connect_timeout = 120 }\n");
  const env = cleanEnv({
    VAGRANT_HOME: lab.vagrantHome,
    VAGRANT_CWD: lab.dir, // nsenter --mount does not keep the working folder
    BOXWRIGHT_BOX: 'foobar-web',
    BOXWRIGHT_ACCELERATOR: 'tcg',
    BOXWRIGHT_IP: options.ip,
    BOXWRIGHT_HOSTS_PLUGIN: 'none',
    ...options.env,
  });
  const inNs = (cmd: string, args: string[], timeoutMs = 900_000, extraEnv: Record<string, string> = {}): NsResult => {
    const r = spawnSync(ns.prefix[0]!, [...ns.prefix.slice(1), cmd, ...args], { cwd: lab.dir, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: timeoutMs });
    return { status: r.status, stdout: r.stdout ?? '', out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  };
  const spawnInNs = (cmd: string, args: string[], onLine: (line: string) => void) => {
    const child = spawn(ns.prefix[0]!, [...ns.prefix.slice(1), cmd, ...args], { cwd: lab.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    });
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { stop: () => { if (child.exitCode === null) child.kill('SIGTERM'); }, exited };
  };
  return {
    ns, lab, env, inNs, spawnInNs,
    cli: (args, timeoutMs = 900_000) => inNs(process.execPath, [join(root, 'bin', 'boxwright.js'), ...args], timeoutMs),
    ssh: (machine, command, timeoutMs = 120_000) => inNs('vagrant', ['ssh', machine, '-c', command], timeoutMs),
    curl: (extra = []) => inNs('curl', ['-s', '--max-time', '10', '-H', `Host: www.foobar.com`, ...extra, `http://${options.ip}/`], 20_000),
    teardown() {
      inNs('vagrant', ['destroy', '-f'], 600_000);
      ns.teardown();
      lab.cleanup();
    },
  };
}

/** Waits until the site answers 200 through the lab IP; returns the seconds it took. */
export function waitForSite(run: RunningLab, timeoutMs = 600_000): number {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (run.curl(['-o', '/dev/null', '-w', '%{http_code}']).out.trim() === '200') return (Date.now() - started) / 1000;
    spawnSync('sleep', ['2']);
  }
  throw new Error(`the site did not answer 200 within ${timeoutMs / 1000} s`);
}

/** Response header the changed app of {@link changedImage} adds. */
export const RELEASE_HEADER = 'X-App-Release';

/** A copy of the foobar-web image whose app marks each response with `X-App-Release: <mark>`. */
export function changedImage(into: string, mark: string): string {
  const dir = join(into, `image-${mark}`);
  cpSync(imageDir, dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const server = join(dir, 'app', 'server.js');
  const text = readFileSync(server, 'utf8');
  const changed = text.replace("'Cache-Control': 'no-store',", `'Cache-Control': 'no-store', '${RELEASE_HEADER}': '${mark}',`);
  if (changed === text) throw new Error('server.js changed: the e2e marker no longer applies');
  writeFileSync(server, changed);
  return dir;
}
