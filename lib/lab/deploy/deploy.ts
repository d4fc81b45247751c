/**
 * `boxwright deploy`: the image's app, bundled on the host exactly as a build bundles it (same
 * bundler, same cache), shipped to every app machine of a running lab over the lab's own SSH and
 * switched there by /usr/local/sbin/boxwright-release (provisioners/files/app/boxwright-release.sh):
 * releases side by side, an atomic `current` switch, the two app instances of each machine
 * restarted one after the other and each health-checked, so nginx always has one to send to.
 * In an `ha` lab each app machine is first drained on every running load balancer (HAProxy's
 * runtime API, through /usr/local/sbin/boxwright-role) and taken back once HAProxy sees it UP, so
 * no request reaches a machine while it switches.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BoxwrightError } from '../../errors.js';
import type { ImageSpec } from '../../image/types.js';
import { bundleApp, defaultCacheDir } from '../../render/app-bundle.js';
import { openLabSsh, type LabSsh, type OpenLabSshOptions } from '../ssh.js';
import { appMachines, loadBalancers } from './machines.js';

/** Path of the release program inside the box. */
export const RELEASE_PROGRAM = '/usr/local/sbin/boxwright-release';
/** Path of the ha role program inside the box (drain and ready on a load balancer). */
export const ROLE_PROGRAM = '/usr/local/sbin/boxwright-role';

/** Progress of a deploy. Carries no secret (there is none in a release). */
export interface DeployEvent {
  type: 'deploy';
  step: 'bundle' | 'upload' | 'drain' | 'switch' | 'ready' | 'machine-done' | 'done';
  message: string;
  machine?: string;
  release?: string;
  /** Milliseconds since the deploy started. */
  elapsedMs: number;
}

/** An app instance as boxwright-release reports it. */
export interface InstanceStatus {
  port: number;
  unit: string;
  active: string;
  release: string;
}

/** One machine after the deploy. */
export interface MachineDeploy {
  machine: string;
  /** The release it serves now. */
  release: string;
  /** The release kept for `--rollback`. */
  previous: string;
  instances: InstanceStatus[];
  /** Time of the switch on this machine (both instances restarted and healthy). */
  switchMs: number;
}

/** What {@link deployApp} did. */
export interface DeployResult {
  /** The release every app machine serves now. */
  release: string;
  rollback: boolean;
  machines: MachineDeploy[];
  /** From the call to every machine serving the release. */
  totalMs: number;
}

/** Options of {@link deployApp}. */
export interface DeployOptions {
  /** The lab folder (its Vagrantfile). @default process.cwd() */
  labDir?: string;
  /** Go back to each machine's previous release instead of shipping the image's app. */
  rollback?: boolean;
  /** The bundle cache. @default the build's cache */
  cacheDir?: string;
  /** Passed to `vagrant ssh-config` (VAGRANT_HOME, ...). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: (event: DeployEvent) => void;
  /** Reaches the lab (tests replace it). @default openLabSsh */
  openSsh?: (dir: string, options: OpenLabSshOptions) => Promise<LabSsh>;
}

interface ReleaseStatus {
  current: string;
  previous: string;
  instances: InstanceStatus[];
}

/** Release id of a bundle, as boxwright-release names it: the first 16 hex digits of its sha256. */
export async function releaseId(bundlePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(bundlePath)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 16);
}

function parseStatus(stdout: string, machine: string): ReleaseStatus {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    const status = JSON.parse(line) as ReleaseStatus;
    if (typeof status.current === 'string' && Array.isArray(status.instances)) return status;
  } catch {}
  throw new BoxwrightError('E_DEPLOY', `${machine}: boxwright-release gave no status (${line || 'no output'}); is the lab's box older than boxwright deploy? Rebuild it`);
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-6).join('\n');
}

/**
 * Deploys the app of `spec` (or, with `rollback`, the previous release) to every app machine of
 * the running lab, one machine after the other. Resolves when every machine serves it; throws
 * `E_DEPLOY` on the first machine that fails (that machine is back on its previous release, the
 * ones after it were not touched), `E_LAB` when the lab is not running.
 */
export async function deployApp(spec: ImageSpec | undefined, options: DeployOptions = {}): Promise<DeployResult> {
  const started = Date.now();
  const emit = (event: Omit<DeployEvent, 'type' | 'elapsedMs'>): void => options.onEvent?.({ type: 'deploy', ...event, elapsedMs: Date.now() - started });
  const rollback = options.rollback === true;
  if (!rollback && !spec) throw new BoxwrightError('E_USAGE', 'deploy needs an image (or --rollback)');

  let bundle: { path: string; id: string } | undefined;
  if (!rollback && spec) {
    const made = await bundleApp({ imageDir: spec.dir, source: spec.app.source }, options.cacheDir ?? defaultCacheDir());
    bundle = { path: made.path, id: await releaseId(made.path) };
    emit({ step: 'bundle', release: bundle.id, message: `bundle ${bundle.id} (${made.cached ? 'cached' : 'made'}: ${made.path})` });
  }

  const ssh = await (options.openSsh ?? openLabSsh)(options.labDir ?? process.cwd(), { ...(options.env ? { env: options.env } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  try {
    const machines = appMachines(ssh.hosts);
    const lbs = loadBalancers(ssh.hosts);
    const signal = options.signal ? { signal: options.signal } : {};
    const call = (machine: string, args: string[], extra: { inputFile?: string } = {}) =>
      ssh.run(machine, ['sudo', '-n', RELEASE_PROGRAM, ...args], { ...extra, ...signal });
    /** drain or ready `machine` on every load balancer; throws E_DEPLOY naming the one that failed. */
    const rotation = async (step: 'drain' | 'ready', machine: string): Promise<void> => {
      for (const lb of lbs) {
        // ready goes without the signal: a cancelled deploy must not leave a machine drained.
        const r = await ssh.run(lb, ['sudo', '-n', ROLE_PROGRAM, step, machine], step === 'drain' ? signal : {});
        if (r.exitCode !== 0) {
          throw new BoxwrightError('E_DEPLOY', `${lb}: ${step === 'drain' ? 'draining' : 'taking back'} ${machine} failed (exit ${r.exitCode}): ${tail(r.stderr) || r.stdout}`);
        }
      }
      if (lbs.length > 0) {
        emit({ step, machine, message: `${machine}: ${step === 'drain' ? 'drained on' : 'back in rotation on'} ${lbs.join(', ')}` });
      }
    };

    if (bundle) {
      // Every machine gets the release before any switches: a failed upload changes nothing.
      for (const machine of machines) {
        const up = await call(machine, ['install'], { inputFile: bundle.path });
        const id = up.stdout.trim().split('\n').at(-1);
        if (up.exitCode !== 0 || id !== bundle.id) {
          throw new BoxwrightError('E_DEPLOY', `${machine}: the release could not be installed (exit ${up.exitCode}): ${tail(up.stderr) || up.stdout}`);
        }
        emit({ step: 'upload', machine, release: bundle.id, message: `${machine}: release ${bundle.id} installed` });
      }
    }

    const done: MachineDeploy[] = [];
    for (const machine of machines) {
      const switchStart = Date.now();
      let run: Awaited<ReturnType<typeof call>>;
      try {
        await rotation('drain', machine);
        emit({ step: 'switch', machine, ...(bundle ? { release: bundle.id } : {}), message: `${machine}: ${rollback ? 'rolling back' : 'switching'} (one instance at a time)` });
        run = await call(machine, rollback ? ['rollback'] : ['deploy', bundle!.id]);
      } finally {
        // Back in rotation whatever the switch (or a drain half done) did: a failed switch is on
        // its previous release again.
        await rotation('ready', machine);
      }
      if (run.exitCode !== 0) {
        throw new BoxwrightError('E_DEPLOY', `${machine}: ${rollback ? 'rollback' : `release ${bundle!.id}`} failed and the machine went back to its previous release:\n${tail(run.stderr)}`);
      }
      const status = parseStatus(run.stdout, machine);
      const stale = status.instances.filter((i) => i.release !== status.current || i.active !== 'active');
      if (stale.length > 0) throw new BoxwrightError('E_DEPLOY', `${machine}: instances not on release ${status.current}: ${JSON.stringify(stale)}`);
      const entry = { machine, release: status.current, previous: status.previous, instances: status.instances, switchMs: Date.now() - switchStart };
      done.push(entry);
      emit({ step: 'machine-done', machine, release: status.current, message: `${machine}: serving ${status.current} (previous ${status.previous || 'none'}), ${(entry.switchMs / 1000).toFixed(1)} s` });
    }
    const releases = new Set(done.map((d) => d.release));
    const release = [...releases][0] ?? '';
    if (releases.size !== 1) throw new BoxwrightError('E_DEPLOY', `the app machines serve different releases after the rollback: ${done.map((d) => `${d.machine}=${d.release}`).join(', ')}`);
    const result = { release, rollback, machines: done, totalMs: Date.now() - started };
    emit({ step: 'done', release, message: `every app machine serves ${release} (${(result.totalMs / 1000).toFixed(1)} s)` });
    return result;
  } finally {
    await ssh.close();
  }
}
