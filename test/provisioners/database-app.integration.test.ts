import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { execa } from 'execa';
import { bundleApp } from '../../lib/render/app-bundle.js';
import { freePort, imageDir, renderProvisioners, request, waitForPort } from './helpers.js';
import { canRunMariadb, startMariadb, type TempMariadb } from './mariadb.js';

// One throwaway MariaDB for the whole file (socket only, temp datadir), stopped by PID at the end.
const skip = canRunMariadb();
let db: TempMariadb | undefined;
let work = '';
const children: ChildProcess[] = [];

test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'bw-dbapp-'));
  if (!skip) db = await startMariadb();
});

test.after.always(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await db?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs the rendered first-boot program against the temp server, its files under work/root. */
async function firstboot() {
  const r = await renderProvisioners({ os: 'debian-12', kind: 'chroot' }, path.join(work, 'render'));
  const bin = path.join(work, 'bin');
  await mkdir(bin, { recursive: true });
  for (const tool of ['mariadb', 'mariadb-admin']) {
    await writeFile(path.join(bin, tool), `#!/bin/sh\nexec /usr/bin/${tool} --no-defaults --socket=${db!.socket} "$@"\n`);
    await chmod(path.join(bin, tool), 0o755);
  }
  return execa('bash', [path.join(r.dir, 'files/firstboot/boxwright-firstboot')], {
    env: { PATH: `${bin}:${process.env.PATH}`, BOXWRIGHT_ROOT: path.join(work, 'root') },
    extendEnv: false,
  });
}
const pwFile = () => path.join(work, 'root/etc/boxwright/secrets/db-password');

async function loginAsApp(password: string): Promise<string> {
  const cnf = path.join(work, 'app-client.cnf');
  await writeFile(cnf, `[client]\nsocket=${db!.socket}\nuser=foobar\npassword=${password}\n`, { mode: 0o600 });
  try {
    return (await execa('mariadb', [`--defaults-file=${cnf}`, '--batch', '--skip-column-names', '-e', 'SELECT CURRENT_USER()', 'foobar'])).stdout;
  } finally {
    await rm(cnf, { force: true });
  }
}

(skip ? test.serial.skip : test.serial)('first boot secures the database like mysql_secure_installation and makes the app user', async (t) => {
  // What an unsecured server may hold.
  await db!.sql(`CREATE USER ''@'localhost'; CREATE USER ''@'%';
    CREATE USER 'root'@'%' IDENTIFIED BY 'insecure'; CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY 'insecure';
    CREATE USER 'foobar'@'%' IDENTIFIED BY 'insecure';
    CREATE DATABASE test; INSERT INTO mysql.db (Host, Db, User, Select_priv) VALUES ('%', 'test\\\\_%', '', 'Y');
    FLUSH PRIVILEGES;`);
  const run = await firstboot();
  t.regex(run.stdout, /generated a new database password/);
  t.notRegex(run.stdout + run.stderr, new RegExp((await readFile(pwFile(), 'utf8')).trim()), 'the password is never logged');

  t.is(await db!.sql("SELECT COUNT(*) FROM mysql.user WHERE User = ''"), '0', 'no anonymous users');
  t.is(await db!.sql("SELECT GROUP_CONCAT(Host) FROM mysql.user WHERE User = 'root'"), 'localhost', 'no remote root');
  t.regex(await db!.sql("SHOW CREATE USER 'root'@'localhost'"), /unix_socket/, 'root keeps socket auth');
  t.is(await db!.sql("SHOW DATABASES LIKE 'test'"), '', 'no test database');
  t.is(await db!.sql("SELECT COUNT(*) FROM mysql.db WHERE Db LIKE 'test%'"), '0', 'no test grants');
  t.is(await db!.sql("SELECT GROUP_CONCAT(Host) FROM mysql.user WHERE User = 'foobar'"), 'localhost');
  const grants = (await db!.sql("SHOW GRANTS FOR 'foobar'@'localhost'")).split('\n');
  t.is(grants.length, 2);
  t.regex(grants[0]!, /^GRANT USAGE ON \*\.\* TO `foobar`@`localhost`/);
  t.regex(grants[1]!, /^GRANT .* ON `foobar`\.\* TO `foobar`@`localhost`$/);

  const info = await stat(pwFile());
  t.is(info.mode & 0o777, 0o600);
  t.is(info.uid, 0);
  t.is((await stat(path.dirname(pwFile()))).mode & 0o777, 0o700);
  const password = (await readFile(pwFile(), 'utf8')).trim();
  t.regex(password, /^[A-Za-z0-9_-]{40}$/);
  t.is(await loginAsApp(password), 'foobar@localhost');
});

(skip ? test.serial.skip : test.serial)('first boot on a later boot keeps the password, and puts the app user back to its own database only', async (t) => {
  const before = await readFile(pwFile(), 'utf8');
  await db!.sql("GRANT SELECT ON mysql.* TO 'foobar'@'localhost'; ALTER USER 'foobar'@'localhost' IDENTIFIED BY 'drifted';");
  const run = await firstboot();
  t.notRegex(run.stdout, /generated a new/);
  t.is(await readFile(pwFile(), 'utf8'), before);
  t.is(await loginAsApp(before.trim()), 'foobar@localhost');
  t.false((await db!.sql("SHOW GRANTS FOR 'foobar'@'localhost'")).includes('`mysql`'), 'stray grant revoked');
});

(skip ? test.serial.skip : test.serial)('two VMs get different passwords', async (t) => {
  const first = await readFile(pwFile(), 'utf8');
  await rm(pwFile());
  await firstboot();
  const second = await readFile(pwFile(), 'utf8');
  t.not(second, first);
  t.is(await loginAsApp(second.trim()), 'foobar@localhost');
});

/** Unpacks the app bundle as the guest gets it (node_modules included) and starts it like the unit does. */
async function startApp(env: Record<string, string>) {
  const bundle = await bundleApp({ imageDir, source: 'app' });
  const dir = await mkdtemp(path.join(work, 'app-'));
  await execa('tar', ['-xzf', bundle.path, '-C', dir]);
  const port = await freePort();
  let output = '';
  const child = spawn('/usr/bin/env', ['-i', `PATH=${process.env.PATH}`, 'NODE_ENV=production', 'HOST=127.0.0.1', `PORT=${port}`,
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, path.join(dir, 'server.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await Promise.race([waitForPort(port), exited.then(() => { throw new Error(`app exited: ${output}`); })]);
  for (let i = 0; i < 100 && !output.includes('listening on'); i++) await delay(50);
  return { child, port, exited, output: () => output };
}

async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(50);
  }
}

async function credentials(): Promise<string> {
  const dir = await mkdtemp(path.join(work, 'credentials-'));
  await writeFile(path.join(dir, 'db-password'), await readFile(pwFile()), { mode: 0o400 });
  return dir;
}

(skip ? test.serial.skip : test.serial)('the app counts visits in the database, answers /healthz, and finishes in-flight requests on SIGTERM', async (t) => {
  const creds = await credentials();
  const app = await startApp({ DB_SOCKET: db!.socket, DB_NAME: 'foobar', DB_USER: 'foobar', CREDENTIALS_DIRECTORY: creds });
  t.regex(app.output(), new RegExp(`listening on http://127\\.0\\.0\\.1:${app.port}`));

  const visits = async () => {
    const reply = await request(app.port, { host: 'www.foobar.com' });
    t.is(reply.status, 200);
    t.regex(reply.headers['content-type'] as string, /^text\/html/);
    return Number(/id="visits">(\d+)</.exec(reply.body)?.[1]);
  };
  const first = await visits();
  t.is(await visits(), first + 1);
  t.is(Number(await db!.sql('SELECT hits FROM foobar.visits WHERE id = 1')), first + 1, 'stored in the database');
  const health = await request(app.port, { path: '/healthz' });
  t.is(health.status, 200);
  t.is(health.body.trim(), 'ok');
  t.is((await request(app.port, { path: '/nope' })).status, 404);
  t.is((await request(app.port, { method: 'POST' })).status, 405);

  const password = (await readFile(pwFile(), 'utf8')).trim();
  for (const file of ['cmdline', 'environ']) {
    t.false((await readFile(`/proc/${app.child.pid}/${file}`, 'latin1')).includes(password), `password not in /proc/PID/${file}`);
  }

  // Hold the table lock so a request is in flight when SIGTERM arrives.
  const locker = spawn('mariadb', ['--no-defaults', `--socket=${db!.socket}`, '--user=root', 'foobar'], { stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(locker);
  locker.stdin!.write('LOCK TABLES visits WRITE;\n');
  await until(async () => (await db!.sql("SHOW OPEN TABLES FROM foobar WHERE `Table` = 'visits' AND In_use > 0")) !== '');
  const inFlight = request(app.port, { host: 'www.foobar.com' });
  await until(async () => (await db!.sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'foobar' AND INFO LIKE 'INSERT INTO visits%'")) === '1');
  app.child.kill('SIGTERM');
  await until(async () => app.output().includes('SIGTERM: stopping'));
  t.is(app.child.exitCode, null, 'still finishing the in-flight request');
  locker.stdin!.end('UNLOCK TABLES;\n');
  const reply = await inFlight;
  t.is(reply.status, 200, 'the in-flight request completes');
  t.is(await app.exited, 0);
  t.regex(app.output(), /SIGTERM: stopping \(1 request\(s\) in flight\)[\s\S]*stopped/);
});

(skip ? test.serial.skip : test.serial)('the app answers 503 when the database is unreachable', async (t) => {
  const creds = await credentials();
  const app = await startApp({ DB_SOCKET: path.join(work, 'no-such.sock'), DB_NAME: 'foobar', DB_USER: 'foobar', CREDENTIALS_DIRECTORY: creds });
  t.is((await request(app.port, { path: '/healthz' })).status, 503);
  t.is((await request(app.port, { host: 'www.foobar.com' })).status, 503);
  app.child.kill('SIGTERM');
  t.is(await app.exited, 0);
});

(skip ? test.serial.skip : test.serial)('the app refuses to start without its credential', async (t) => {
  await t.throwsAsync(startApp({ DB_NAME: 'foobar', DB_USER: 'foobar' }), { message: /CREDENTIALS_DIRECTORY is not set/ });
});

(skip ? test.serial.skip : test.serial)('after the database restarts under it, the app answers /healthz and / again without being restarted (as the ha primary does when its role is applied again)', async (t) => {
  const creds = await credentials();
  const app = await startApp({ DB_SOCKET: db!.socket, DB_NAME: 'foobar', DB_USER: 'foobar', CREDENTIALS_DIRECTORY: creds });
  t.teardown(() => { if (app.child.exitCode === null) app.child.kill('SIGKILL'); });
  t.is((await request(app.port, { path: '/healthz' })).status, 200);
  t.is((await request(app.port, { host: 'www.foobar.com' })).status, 200);
  await db!.restart();
  let health = 0;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    health = (await request(app.port, { path: '/healthz' })).status;
    if (health === 200) break;
    await delay(500);
  }
  t.is(health, 200, `healthz after the restart:\n${app.output().slice(-1500)}`);
  t.is((await request(app.port, { host: 'www.foobar.com' })).status, 200);
  app.child.kill('SIGTERM');
  t.is(await app.exited, 0);
});
