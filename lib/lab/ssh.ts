/**
 * SSH into the machines of a running lab the way `vagrant ssh` does, without Vagrant on every call:
 * `vagrant ssh-config` of the lab folder is read once into a private temp file, then each command
 * runs as `ssh -F <that file> <machine> -- <command>`. Data (a bundle, a secret) goes over stdin,
 * never into argv.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { BoxwrightError } from '../errors.js';
import { shellQuote } from '../render/shell-quote.js';

/** One `Host` block of `vagrant ssh-config`. */
export interface SshHost {
  /** The machine's name in the Vagrantfile (`default`, `app1`, ...). */
  name: string;
  /** `HostName`: the address SSH connects to. */
  hostName: string;
  /** `Port`. @default 22 */
  port: number;
  /** `User`. */
  user: string;
}

/** Parses `vagrant ssh-config` output into its hosts, in order. Pure. */
export function parseSshConfig(text: string): SshHost[] {
  const hosts: SshHost[] = [];
  let current: SshHost | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [key = '', ...rest] = line.split(/\s+/);
    const value = rest.join(' ');
    if (key.toLowerCase() === 'host') {
      current = { name: value, hostName: value, port: 22, user: '' };
      hosts.push(current);
    } else if (current) {
      if (key.toLowerCase() === 'hostname') current.hostName = value;
      else if (key.toLowerCase() === 'port') current.port = Number.parseInt(value, 10) || 22;
      else if (key.toLowerCase() === 'user') current.user = value;
    }
  }
  return hosts;
}

/** Names of the machines `vagrant status --machine-readable` reports as running. Pure. */
export function runningMachines(statusOutput: string): string[] {
  const running: string[] = [];
  for (const line of statusOutput.split(/\r?\n/)) {
    const [, target, type, state] = line.split(',');
    if (type === 'state' && state === 'running' && target && !running.includes(target)) running.push(target);
  }
  return running;
}

/** What one remote command gave. */
export interface SshResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Options of one remote command. */
export interface SshRunOptions {
  /** Bytes or text for the command's stdin. */
  input?: string | Buffer;
  /** A file streamed to the command's stdin. */
  inputFile?: string;
  signal?: AbortSignal;
  /** Kill the command after this long. @default 600_000 */
  timeoutMs?: number;
}

/** SSH access to a running lab; {@link LabSsh.close} removes the private ssh config. */
export interface LabSsh {
  /** The lab folder (the Vagrantfile's). */
  dir: string;
  /** The machines `vagrant ssh-config` listed. */
  hosts: SshHost[];
  /** Runs `command` (argv, quoted for the remote shell) on `machine`; never throws for a non-zero exit. */
  run(machine: string, command: readonly string[], options?: SshRunOptions): Promise<SshResult>;
  close(): Promise<void>;
}

/** Options of {@link openLabSsh}. */
export interface OpenLabSshOptions {
  /** Environment of `vagrant` (VAGRANT_HOME, ...). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Machines to ask for. @default every machine `vagrant status` reports as running */
  machines?: readonly string[];
  /** The vagrant executable. @default 'vagrant' */
  vagrant?: string;
  /** The ssh executable. @default 'ssh' */
  ssh?: string;
  signal?: AbortSignal;
}

/**
 * Reads `vagrant ssh-config` of the lab in `dir` (its machines must be running) and returns a
 * handle that runs commands on them over SSH. Throws `E_LAB` when the lab is not up.
 */
export async function openLabSsh(dir: string, options: OpenLabSshOptions = {}): Promise<LabSsh> {
  const labDir = path.resolve(dir);
  const env = { ...(options.env ?? process.env), VAGRANT_CWD: labDir };
  const vagrant = (args: string[]) => execa(options.vagrant ?? 'vagrant', args, {
    cwd: labDir, env, extendEnv: false, reject: false, ...(options.signal ? { cancelSignal: options.signal } : {}),
  }).catch((cause: unknown) => {
    throw new BoxwrightError('E_HOST', 'cannot run vagrant; install Vagrant (and vagrant-libvirt) first', { cause });
  });
  // Only running machines: ssh-config of a stopped one fails the whole call.
  let machines = options.machines ? [...options.machines] : undefined;
  if (!machines) {
    const status = await vagrant(['status', '--machine-readable']);
    machines = status.exitCode === 0 ? runningMachines(String(status.stdout)) : [];
    if (machines.length === 0) {
      const why = String(status.stderr || status.stdout).trim().split('\n').slice(-3).join(' ');
      throw new BoxwrightError('E_LAB', `no running lab machine in ${labDir}${why ? ` (vagrant status: ${why})` : ''}. Start the lab with \`vagrant up\` there, or pass --lab DIR`);
    }
  }
  const config = await vagrant(['ssh-config', ...machines]);
  const hosts = config.exitCode === 0 ? parseSshConfig(config.stdout) : [];
  if (hosts.length === 0) {
    const why = (config.stderr || config.stdout).trim().split('\n').slice(-3).join(' ');
    throw new BoxwrightError('E_LAB', `no running lab machine in ${labDir}: vagrant ssh-config said: ${why || 'nothing'}. Start the lab with \`vagrant up\` there, or pass --lab DIR`);
  }
  const work = await mkdtemp(path.join(tmpdir(), 'boxwright-ssh-'));
  const configPath = path.join(work, 'ssh-config');
  await writeFile(configPath, `${config.stdout}\n`, { mode: 0o600 });
  const names = new Set(hosts.map((h) => h.name));
  return {
    dir: labDir,
    hosts,
    async run(machine, command, runOptions = {}) {
      if (!names.has(machine)) throw new BoxwrightError('E_LAB', `the lab in ${labDir} has no running machine ${machine}; running: ${[...names].join(', ')}`);
      const remote = command.map((word) => (/^[A-Za-z0-9_./=:@-]+$/.test(word) ? word : shellQuote(word))).join(' ');
      const result = await execa(options.ssh ?? 'ssh', ['-F', configPath, '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=20', machine, '--', remote], {
        reject: false,
        timeout: runOptions.timeoutMs ?? 600_000,
        ...(runOptions.input !== undefined ? { input: runOptions.input } : {}),
        ...(runOptions.inputFile !== undefined ? { inputFile: runOptions.inputFile } : {}),
        ...(runOptions.signal ? { cancelSignal: runOptions.signal } : {}),
        ...(runOptions.input === undefined && runOptions.inputFile === undefined ? { stdin: 'ignore' as const } : {}),
      });
      return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? 1 };
    },
    async close() {
      await rm(work, { recursive: true, force: true });
    },
  };
}
