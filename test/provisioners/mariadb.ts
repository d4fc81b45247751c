import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';

/** A throwaway MariaDB server: its own datadir, reachable only on a unix socket in a temp dir. */
export interface TempMariadb {
  dir: string;
  socket: string;
  /** Runs SQL as root over the socket (unix_socket auth), SQL on stdin. */
  sql(statements: string): Promise<string>;
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same datadir and socket (a service restart). */
  restart(): Promise<void>;
}

export function canRunMariadb(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (mariadbd runs as the invoking user)';
  for (const bin of ['/usr/sbin/mariadbd', '/usr/bin/mariadb-install-db', '/usr/bin/mariadb']) {
    if (!existsSync(bin)) return `${bin} is not installed`;
  }
  return undefined;
}

/**
 * Starts a throwaway mariadbd. serverSettings: a `[mariadbd]` option file read after the defaults
 * (e.g. the ha db role's), with networking still off.
 */
export async function startMariadb(serverSettings?: string): Promise<TempMariadb> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bw-mariadb-'));
  const datadir = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  await execa('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=root',
    '--auth-root-authentication-method=socket', '--skip-test-db']);
  const defaults = serverSettings ? `--defaults-file=${serverSettings}` : '--no-defaults';
  const sql = async (statements: string) =>
    (await execa('mariadb', ['--no-defaults', '--protocol=socket', `--socket=${socket}`, '--user=root', '--batch', '--skip-column-names'], { input: statements })).stdout;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const halt = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, delay(20_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  };
  const launch = async (): Promise<boolean> => {
    child = spawn('/usr/sbin/mariadbd', [defaults, `--datadir=${datadir}`,
      `--socket=${socket}`, '--skip-networking', '--user=root', `--pid-file=${path.join(dir, 'mariadbd.pid')}`,
      `--log-error=${path.join(dir, 'error.log')}`, '--innodb-buffer-pool-size=32M'], { stdio: 'ignore' });
    const started = child;
    exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
    for (let i = 0; i < 60; i++) {
      if (started.exitCode !== null) return false;
      try {
        await sql('SELECT 1');
        return true;
      } catch {
        await delay(500);
      }
    }
    return false;
  };
  const stop = async () => {
    await halt();
    await rm(dir, { recursive: true, force: true });
  };
  const restart = async () => {
    await halt();
    if (!(await launch())) throw new Error('temporary mariadbd did not come back');
  };
  if (await launch()) return { dir, socket, sql, stop, restart };
  await stop();
  throw new Error('temporary mariadbd did not come up');
}
