/**
 * The ha database role's server settings, run by a real mariadbd on this host (networking off):
 * the probe of the first six-machine lab found db1's mariadbd refusing to start with them.
 */
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { renderProvisioners } from './helpers.js';
import { canRunMariadb, startMariadb } from './mariadb.js';

const skip = canRunMariadb();
const m = (name: string, ip: string) => ({ name, ip });
const doc = (name: string, ip: string) => ({
  role: 'db', name, ip, vip: '192.168.56.10',
  lbs: [m('lb1', '192.168.56.11'), m('lb2', '192.168.56.12')],
  apps: [m('app1', '192.168.56.31'), m('app2', '192.168.56.32')],
  dbs: [m('db1', '192.168.56.21'), m('db2', '192.168.56.22')],
  primary: 'db1', secrets: { appDb: 'a'.repeat(40), replication: 'r'.repeat(40), vrrp: 'v1234567'.repeat(5) },
});

(skip ? test.serial.skip : test.serial)('probe: db1 of the ha lab would not start (binary log folder missing); the role\'s settings start a real mariadbd with the log in its datadir', async (t) => {
  const r = await renderProvisioners({ os: 'debian-13', kind: 'chroot' });
  const work = await mkdtemp(path.join(os.tmpdir(), 'bw-role-db-'));
  t.teardown(async () => {
    await rm(r.dir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });
  const program = path.join(work, 'boxwright-role');
  await copyFile(path.join(r.dir, 'files/roles/boxwright-role.cjs'), program);
  const rendered = await execa('node', [program, 'render'], { input: JSON.stringify(doc('db1', '192.168.56.21')) });
  const { cnf } = JSON.parse(rendered.stdout) as { cnf: string };
  const settings = path.join(work, 'role.cnf');
  await writeFile(settings, cnf);

  const db = await startMariadb(settings);
  t.teardown(() => db.stop());
  const vars = await db.sql("SHOW VARIABLES WHERE Variable_name IN ('log_bin', 'log_bin_basename', 'gtid_strict_mode', 'read_only', 'binlog_format', 'rpl_semi_sync_master_enabled')");
  const got = Object.fromEntries(vars.split('\n').map((line) => line.split('\t')));
  t.is(got.log_bin, 'ON');
  t.is(got.gtid_strict_mode, 'ON');
  t.is(got.binlog_format, 'ROW');
  t.is(got.read_only, 'OFF', 'the primary takes writes');
  t.is(got.rpl_semi_sync_master_enabled, 'ON');
  t.true(got.log_bin_basename?.startsWith(path.join(db.dir, 'data')), `binary log in the datadir, not ${got.log_bin_basename}`);
  t.true((await readdir(path.join(db.dir, 'data'))).includes('mariadb-bin.index'));
});
