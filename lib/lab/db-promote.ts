/**
 * `boxwright db-promote`: after the database primary (db1) of an `ha` lab is lost, makes the
 * replica (db2) the primary and points every app server at it, over the lab's own SSH
 * (/usr/local/sbin/boxwright-role on each machine). The lab folder remembers the new primary
 * (.vagrant/boxwright/state.json), so a later `vagrant up` keeps it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BoxwrightError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { appMachines } from './deploy/machines.js';
import { openLabSsh, type LabSsh, type OpenLabSshOptions } from './ssh.js';

/** Path of the role program inside the box. */
export const ROLE_PROGRAM = '/usr/local/sbin/boxwright-role';
/** The replica that is promoted. */
export const REPLICA = 'db2';

/** Progress of a promotion. */
export interface PromoteEvent {
  type: 'db-promote';
  step: 'promote' | 'repoint' | 'done';
  machine?: string;
  message: string;
  elapsedMs: number;
}

/** What {@link promoteDatabase} did. */
export interface PromoteResult {
  /** The database machine the app servers write to now. */
  primary: string;
  /** App servers repointed, in order. */
  apps: string[];
  /** Time from the call to the last app server writing to the new primary. */
  totalMs: number;
}

/** Options of {@link promoteDatabase}. */
export interface PromoteOptions {
  /** The lab folder. @default process.cwd() */
  labDir?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: (event: PromoteEvent) => void;
  /** Reaches the lab (tests replace it). @default openLabSsh */
  openSsh?: (dir: string, options: OpenLabSshOptions) => Promise<LabSsh>;
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-5).join('\n');
}

/** Promotes db2 and repoints the app servers. Throws `E_LAB` when db2 or no app server runs. */
export async function promoteDatabase(options: PromoteOptions = {}): Promise<PromoteResult> {
  const started = Date.now();
  const emit = (event: Omit<PromoteEvent, 'type' | 'elapsedMs'>): void => options.onEvent?.({ type: 'db-promote', ...event, elapsedMs: Date.now() - started });
  const labDir = path.resolve(options.labDir ?? process.cwd());
  const ssh = await (options.openSsh ?? openLabSsh)(labDir, { ...(options.env ? { env: options.env } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  try {
    if (!ssh.hosts.some((h) => h.name === REPLICA)) {
      throw new BoxwrightError('E_LAB', `the lab in ${labDir} runs no ${REPLICA} (running: ${ssh.hosts.map((h) => h.name).join(', ')}); db-promote needs the ha topology with ${REPLICA} up`);
    }
    const apps = appMachines(ssh.hosts).filter((name) => name !== 'default');
    if (apps.length === 0) throw new BoxwrightError('E_LAB', `the lab in ${labDir} runs no app server (app1, ...); db-promote is for the ha topology`);
    const sudo = (machine: string, args: string[]) => ssh.run(machine, ['sudo', '-n', ROLE_PROGRAM, ...args], options.signal ? { signal: options.signal } : {});

    emit({ step: 'promote', machine: REPLICA, message: `${REPLICA}: stop replicating, take writes` });
    const promoted = await sudo(REPLICA, ['promote']);
    if (promoted.exitCode !== 0) throw new BoxwrightError('E_DEPLOY', `${REPLICA} could not be promoted: ${tail(promoted.stderr)}`);
    // Remember it before the app servers move, so a `vagrant up` from now on keeps db2.
    const stateDir = path.join(labDir, '.vagrant', 'boxwright');
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path.join(stateDir, 'state.json'), `${JSON.stringify({ primary: REPLICA })}\n`);

    for (const app of apps) {
      const moved = await sudo(app, ['repoint', REPLICA]);
      if (moved.exitCode !== 0) throw new BoxwrightError('E_DEPLOY', `${app} could not be pointed at ${REPLICA}: ${tail(moved.stderr)}; run db-promote again`);
      emit({ step: 'repoint', machine: app, message: `${app}: writes to ${REPLICA}` });
    }
    const result = { primary: REPLICA, apps, totalMs: Date.now() - started };
    emit({ step: 'done', message: `${REPLICA} is the primary; ${apps.join(', ')} write to it (${(result.totalMs / 1000).toFixed(1)} s)` });
    return result;
  } finally {
    await ssh.close();
  }
}
