#!/usr/bin/node
// boxwright-role: turns a booted box into one machine of the `ha` lab. Installed as
// /usr/local/sbin/boxwright-role (root only). Every role's software is in the box already; this
// only writes configuration and turns services on or off. Nothing is installed.
//
//   boxwright-role apply      the role, as JSON on stdin (sent by the Vagrantfile over SSH):
//     { role: "lb"|"app"|"db", name, ip, vip, lbs: [{name, ip}], apps: [...], dbs: [...],
//       primary: "db1", secrets: { appDb, replication, vrrp } }
//   boxwright-role promote    (db) stop replicating and take writes: this machine is the primary now
//   boxwright-role repoint NAME   (app) write to database machine NAME from now on
//   boxwright-role status     JSON: role, name, primary, replication state (db)
//   boxwright-role drain NAME (lb) send app server NAME no new request (HAProxy's runtime API) and
//                             wait until its requests in flight are done; prints the server's state
//   boxwright-role ready NAME (lb) take NAME back into rotation and wait until its health checks say
//                             UP (exit 1 after 60 s); prints the server's state
//   boxwright-role render     what apply would write (JSON), applying nothing (for tests)
//
// Secrets arrive on stdin only; they are written to root-only files (0600) and never logged.
// CommonJS: installed without an extension, which Node (18 on Debian 12) runs as CommonJS.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');

const STATE = process.env.BOXWRIGHT_ROLE_STATE || '/etc/boxwright/role.json';
const SECRETS = '/etc/boxwright/secrets';
const DB_NAME = '{{dbName}}';
const DB_USER = '{{dbUser}}';
const DB_SERVICE = '{{dbService}}';
const SITE_NAME = '{{hostname}}';
const HTTP_PORT = Number('{{nginxPort}}');
const APP_UNITS = ['boxwright-app@{{appPort}}.service', 'boxwright-app@{{appPortStandby}}.service'];
const ROLE_UNITS = {
  lb: ['haproxy.service', 'keepalived.service'],
  app: ['nginx.service', ...APP_UNITS],
  db: [`${DB_SERVICE}.service`],
};
const ALL_UNITS = [...new Set([...Object.values(ROLE_UNITS).flat(), 'boxwright-firstboot.service'])];
const OFF_DROPIN = '60-boxwright-role-off.conf';
const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const SECRET = /^[A-Za-z0-9_-]{16,}$/;
// The tests run a real HAProxy on loopback with its own socket and a shorter wait for UP.
const ADMIN_SOCKET = process.env.BOXWRIGHT_HAPROXY_SOCKET || '/run/haproxy/admin.sock';
const READY_SECONDS = Number(process.env.BOXWRIGHT_ROLE_READY_SECONDS || 60);
const BACKEND = 'app';

function log(message) {
  process.stderr.write(`boxwright-role: ${message}\n`);
}
function fail(message) {
  log(message);
  process.exit(1);
}

/** Writes a whole file by rename; returns true when its content changed. */
function put(path, text, mode = 0o644) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.boxwright-new`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, path);
  return true;
}
function run(cmd, args, input) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], input });
}
const systemctl = (...args) => spawnSync('systemctl', args, { stdio: 'ignore' }).status === 0;

/** Checks the role document; returns it. */
function validate(doc) {
  const bad = (what) => fail(`role document: ${what}`);
  if (!doc || typeof doc !== 'object') bad('not a JSON object');
  if (!['lb', 'app', 'db'].includes(doc.role)) bad(`role must be lb, app or db (got ${JSON.stringify(doc.role)})`);
  if (!NAME.test(doc.name ?? '')) bad('name must be a machine name such as app1');
  for (const key of ['ip', 'vip']) if (!IPV4.test(doc[key] ?? '')) bad(`${key} must be an IPv4 address`);
  for (const key of ['lbs', 'apps', 'dbs']) {
    if (!Array.isArray(doc[key])) bad(`${key} must be a list`);
    for (const m of doc[key]) if (!NAME.test(m?.name ?? '') || !IPV4.test(m?.ip ?? '')) bad(`${key} holds a machine without a good name and ip`);
  }
  if (!doc.dbs.some((d) => d.name === doc.primary)) bad('primary must name one of dbs');
  for (const key of ['appDb', 'replication', 'vrrp']) if (!SECRET.test(doc.secrets?.[key] ?? '')) bad(`secrets.${key} is missing or malformed`);
  return doc;
}

/**
 * Units of other roles stay off, also at the next boot; a Condition keeps units that need them
 * starting. reload: another unit file was changed too (one daemon reload covers both).
 */
function setUnits(role, reload = false) {
  let changed = false;
  for (const unit of ALL_UNITS) {
    const dropin = `/etc/systemd/system/${unit.replace(/@\d+\.service$/, '@.service')}.d/${OFF_DROPIN}`;
    const wanted = ROLE_UNITS[role].includes(unit);
    if (wanted && existsSync(dropin)) {
      rmSync(dropin);
      changed = true;
    }
    if (!wanted) {
      changed = put(dropin, `# boxwright-role: ${role} machines do not run ${unit}\n[Unit]\nConditionPathExists=/run/boxwright-role-never\n`) || changed;
    }
  }
  // One reload (only when a drop-in changed) and one systemctl call each, all with --no-reload:
  // every daemon reload took about 20 s in a TCG guest of a six-machine lab on 2 host cores, and
  // enable/disable without --no-reload make one each. The links they change matter at the next boot.
  if (changed || reload) systemctl('daemon-reload');
  const others = ALL_UNITS.filter((unit) => !ROLE_UNITS[role].includes(unit));
  if (others.length > 0) {
    systemctl('disable', '--quiet', '--no-reload', ...others);
    systemctl('stop', ...others);
  }
  if (ROLE_UNITS[role].length > 0) systemctl('enable', '--quiet', '--no-reload', ...ROLE_UNITS[role]);
}

/** The box's firewall with this role's extra input rules (the box's own file is kept as .box). */
function firewall(rules) {
  const box = '/etc/nftables.conf.box';
  if (!existsSync(box)) put(box, readFileSync('/etc/nftables.conf', 'utf8'), 0o755);
  const text = readFileSync(box, 'utf8');
  const anchor = text.match(/^(\s*)tcp dport \{[^}]*\} ct state new accept$/m);
  if (!anchor) fail('/etc/nftables.conf has no "tcp dport { ... } ct state new accept" line to add the role rules before');
  const indent = anchor[1];
  const added = [`${indent}# boxwright-role`, ...rules.map((r) => indent + r)].join('\n');
  if (put('/etc/nftables.conf', text.replace(anchor[0], `${added}\n${anchor[0]}`), 0o755)) run('nft', ['-f', '/etc/nftables.conf']);
}

function ownInterface(ip) {
  const line = run('ip', ['-o', '-4', 'addr', 'show']).split('\n').find((l) => l.includes(` ${ip}/`));
  const dev = line?.split(/\s+/)[1];
  if (!dev) fail(`no interface holds ${ip}`);
  return dev;
}

function secretFile(name, value) {
  mkdirSync(SECRETS, { recursive: true, mode: 0o700 });
  return put(`${SECRETS}/${name}`, `${value}\n`, 0o600);
}

/** haproxy.cfg and keepalived.conf of a load balancer. Pure. */
function lbFiles(doc, dev) {
  const peer = doc.lbs.find((l) => l.name !== doc.name);
  const me = doc.lbs.findIndex((l) => l.name === doc.name);
  const servers = doc.apps.map((a) => `    server ${a.name} ${a.ip}:${HTTP_PORT} check`).join('\n');
  const haproxy = `# boxwright-role lb: ${doc.name}
global
    # Each failed or abnormal request is logged (info, with option dontlog-normal below), with its
    # termination state: who closed what, and when.
    log /dev/log local0 info
    user haproxy
    group haproxy
    maxconn 4096
    # Runtime API (boxwright-role drain/ready: "set server app/app1 state drain"): a root-only unix socket.
    stats socket ${ADMIN_SOCKET} mode 600 level admin
    stats timeout 30s

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option dontlog-normal
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    # A request whose server fails goes again, to another server (redispatch).
    retries 3
    option redispatch 1
    retry-on all-retryable-errors

frontend www
    bind :${HTTP_PORT}
    default_backend app

backend ${BACKEND}
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host ${SITE_NAME}
    http-check expect status 200
    # Down after 2 failed checks 1 s apart; up again after 2 good ones.
    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2 on-marked-down shutdown-sessions
${servers}

listen stats
    bind 127.0.0.1:8404
    stats enable
    stats uri /
    stats refresh 5s
`;
  const keepalived = `# boxwright-role lb: ${doc.name}. VRRP by unicast (multicast is unreliable on libvirt bridges).
global_defs {
    router_id ${doc.name}
    script_user root
    enable_script_security
}
vrrp_script haproxy_up {
    script "/usr/bin/systemctl is-active --quiet haproxy.service"
    interval 1
    fall 2
    rise 2
}
vrrp_instance www {
    state ${me === 0 ? 'MASTER' : 'BACKUP'}
    interface ${dev}
    virtual_router_id ${Number(doc.vip.split('.')[3]) % 255 || 1}
    priority ${me === 0 ? 150 : 100}
    advert_int 1
    unicast_src_ip ${doc.ip}
    unicast_peer {
        ${peer ? peer.ip : doc.ip}
    }
    authentication {
        auth_type PASS
        auth_pass ${doc.secrets.vrrp.slice(0, 8)}
    }
    virtual_ipaddress {
        ${doc.vip}/24 dev ${dev}
    }
    track_script {
        haproxy_up
    }
}
`;
  return { haproxy, keepalived, peer };
}

function applyLb(doc) {
  const { haproxy, keepalived, peer } = lbFiles(doc, ownInterface(doc.ip));
  setUnits('lb');
  firewall(peer ? [`ip saddr ${peer.ip} ip protocol vrrp accept`] : []);
  mkdirSync('/run/haproxy', { recursive: true });
  const haproxyChanged = put('/etc/haproxy/haproxy.cfg', haproxy);
  run('haproxy', ['-c', '-q', '-f', '/etc/haproxy/haproxy.cfg']);
  const keepalivedChanged = put('/etc/keepalived/keepalived.conf', keepalived, 0o600);
  if (!systemctl('is-active', '--quiet', 'haproxy.service')) systemctl('start', 'haproxy.service');
  else if (haproxyChanged) systemctl('reload', 'haproxy.service');
  if (!systemctl('is-active', '--quiet', 'keepalived.service')) systemctl('start', 'keepalived.service');
  else if (keepalivedChanged) systemctl('reload', 'keepalived.service');
}

function dbIp(doc, name) {
  return doc.dbs.find((d) => d.name === name).ip;
}

function appDropin(doc, primary) {
  const ips = doc.dbs.map((d) => d.ip).join(' ');
  return put('/etc/systemd/system/boxwright-app@.service.d/60-boxwright-role.conf', `# boxwright-role app: the database is on ${primary}
[Service]
Environment=DB_SOCKET=
Environment=DB_HOST=${dbIp(doc, primary)}
Environment=DB_PORT=3306
IPAddressAllow=${ips}
`);
}

/** Restarts the app instances one after the other, each back on /healthz before the next. */
function rollApp() {
  for (const [i, unit] of APP_UNITS.entries()) {
    const port = unit.match(/@(\d+)\./)[1];
    systemctl('reset-failed', unit);
    systemctl('restart', unit);
    for (let t = 0; t < 100; t += 1) {
      const r = spawnSync('curl', ['-sS', '--max-time', '2', `http://127.0.0.1:${port}/healthz`], { encoding: 'utf8' });
      if (r.stdout === 'ok\n') break;
      spawnSync('sleep', ['0.3']);
    }
    if (i === 0) log(`${unit} restarted`);
  }
}

/** nginx's addition on an app server: which machine answered. Pure. */
function servedBy(doc) {
  return `add_header X-Served-By "${doc.name}" always;\n`;
}

function applyApp(doc) {
  const dropinChanged = appDropin(doc, doc.primary);
  setUnits('app', dropinChanged); // one daemon reload for both
  let changed = secretFile('db-password', doc.secrets.appDb) || dropinChanged;
  changed = put('/etc/nginx/boxwright.d/served-by.conf', servedBy(doc)) || changed;
  if (changed) {
    run('nginx', ['-t', '-q']);
    systemctl('reload-or-restart', 'nginx.service');
    rollApp();
  }
}

const sqlQuote = (s) => `'${String(s).replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
function sql(statements) {
  return run('mariadb', ['--protocol=socket', '--user=root', '--batch', '--skip-column-names'], `${statements.join(';\n')};\n`);
}

/** The server settings of a database machine. Pure. */
function dbCnf(doc) {
  const index = doc.dbs.findIndex((d) => d.name === doc.name) + 1;
  const primary = doc.primary === doc.name;
  return `# boxwright-role db: ${doc.name} (${primary ? 'primary' : 'replica'}); read after 99-boxwright.cnf
[mariadbd]
bind-address            = ${doc.ip}
server_id               = ${index}
# In the datadir (a name, not a path): the box has no /var/log/mysql (the cleanup empties /var/log),
# and mariadbd refuses to start when the folder of its binary log is missing.
log_bin                 = mariadb-bin
binlog_format           = ROW
log_slave_updates       = ON
gtid_strict_mode        = ON
read_only               = ${primary ? 'OFF' : 'ON'}
# Semi-synchronous: a commit returns once the replica has it (lossless AFTER_SYNC), so a write
# the app acknowledged survives the primary's loss. Without a replica for 5 s it goes on alone.
rpl_semi_sync_master_enabled    = ON
rpl_semi_sync_slave_enabled     = ON
rpl_semi_sync_master_wait_point = AFTER_SYNC
rpl_semi_sync_master_timeout    = 5000
`;
}

function applyDb(doc) {
  if (DB_SERVICE !== 'mariadb') fail('the ha database role replicates MariaDB (Debian boxes) only');
  const primary = doc.primary === doc.name;
  setUnits('db');
  const cnf = dbCnf(doc);
  firewall([`ip saddr { ${[...doc.apps, ...doc.dbs].map((m) => m.ip).join(', ')} } tcp dport 3306 ct state new accept`]);
  if (put('/etc/mysql/mariadb.conf.d/zz-boxwright-role.cnf', cnf) || !systemctl('is-active', '--quiet', 'mariadb.service')) {
    systemctl('restart', 'mariadb.service');
  }
  secretFile('db-password', doc.secrets.appDb);
  if (primary) {
    const statements = [`CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`];
    for (const d of doc.dbs.filter((m) => m.name !== doc.name)) {
      statements.push(`CREATE USER IF NOT EXISTS 'repl'@${sqlQuote(d.ip)} IDENTIFIED BY ${sqlQuote(doc.secrets.replication)}`,
        `ALTER USER 'repl'@${sqlQuote(d.ip)} IDENTIFIED BY ${sqlQuote(doc.secrets.replication)}`,
        `GRANT REPLICATION SLAVE ON *.* TO 'repl'@${sqlQuote(d.ip)}`);
    }
    for (const a of doc.apps) {
      statements.push(`CREATE USER IF NOT EXISTS '${DB_USER}'@${sqlQuote(a.ip)} IDENTIFIED BY ${sqlQuote(doc.secrets.appDb)}`,
        `ALTER USER '${DB_USER}'@${sqlQuote(a.ip)} IDENTIFIED BY ${sqlQuote(doc.secrets.appDb)}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES, CREATE TEMPORARY TABLES, LOCK TABLES ON \`${DB_NAME}\`.* TO '${DB_USER}'@${sqlQuote(a.ip)}`);
    }
    sql(statements);
  } else {
    const running = sql(['SHOW SLAVE STATUS']).trim() !== '';
    if (!running) {
      // By GTID from where this server's own binary log ends: nothing for a new replica (its log
      // was off until now), after its own last write for a former primary that comes back.
      sql([`CHANGE MASTER TO MASTER_HOST=${sqlQuote(dbIp(doc, doc.primary))}, MASTER_USER='repl', MASTER_PASSWORD=${sqlQuote(doc.secrets.replication)}, MASTER_CONNECT_RETRY=2, MASTER_USE_GTID=current_pos`,
        'START SLAVE']);
    }
  }
}

/** One command to HAProxy's runtime API (non-interactive: it answers, then closes); its answer. */
function haproxyApi(command) {
  return new Promise((resolve, reject) => {
    const socket = require('node:net').createConnection(ADMIN_SOCKET);
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk) => { answer += chunk; });
    socket.on('end', () => resolve(answer.trim()));
    socket.on('error', (error) => reject(new Error(`HAProxy's runtime API (${ADMIN_SOCKET}): ${error.message}`)));
  });
}

/** One server's row of `show stat`: status (UP, DOWN, DRAIN, MAINT, ...) and sessions in flight. Pure. */
function serverStat(csv, server) {
  const lines = csv.split('\n');
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const column = (name) => header.indexOf(name);
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells[column('pxname')] === BACKEND && cells[column('svname')] === server) {
      return { server, status: cells[column('status')], sessions: Number(cells[column('scur')]) };
    }
  }
  return undefined;
}

async function serverNow(server) {
  const stat = serverStat(await haproxyApi('show stat'), server);
  if (!stat) fail(`HAProxy has no server ${BACKEND}/${server}`);
  return stat;
}

/** Polls the server's row until done(row) or the time is up; the last row and whether done. */
async function waitForServer(server, done, seconds) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const stat = await serverNow(server);
    if (done(stat)) return { ...stat, done: true };
    if (Date.now() >= until) return { ...stat, done: false };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Fails unless this machine is a load balancer whose role lists app server `name`. */
function checkLbServer(name) {
  const state = readState();
  if (state.role !== 'lb') fail(`${state.name} is a ${state.role} machine, not a load balancer`);
  if (!state.apps.some((a) => a.name === name)) fail(`no app server ${name} in ${state.name}'s role`);
}

const printStat = (stat) => process.stdout.write(`${JSON.stringify({ server: stat.server, status: stat.status, sessions: stat.sessions })}\n`);

/** No new request for the server; waits (30 s at most) for those in flight. */
async function drain(server) {
  checkLbServer(server);
  const answer = await haproxyApi(`set server ${BACKEND}/${server} state drain`);
  if (answer !== '') fail(`HAProxy refused to drain ${server}: ${answer}`);
  const stat = await waitForServer(server, (s) => s.sessions === 0, 30);
  if (!stat.done) log(`${server} still has ${stat.sessions} requests in flight after 30 s; going on`);
  printStat(stat);
}

/** The server back in rotation; fails unless its health checks say UP within READY_SECONDS. */
async function ready(server) {
  checkLbServer(server);
  const answer = await haproxyApi(`set server ${BACKEND}/${server} state ready`);
  if (answer !== '') fail(`HAProxy refused to take ${server} back: ${answer}`);
  const stat = await waitForServer(server, (s) => s.status === 'UP', READY_SECONDS);
  printStat(stat);
  if (!stat.done) fail(`${server} is back in rotation but not healthy after ${READY_SECONDS} s (HAProxy says ${stat.status})`);
}

function readState() {
  if (!existsSync(STATE)) fail(`no role applied yet (${STATE} is missing)`);
  return JSON.parse(readFileSync(STATE, 'utf8'));
}

function promote() {
  const state = readState();
  if (state.role !== 'db') fail(`${state.name} is a ${state.role} machine, not a database`);
  sql(['STOP SLAVE', 'RESET SLAVE ALL', 'SET GLOBAL read_only = OFF']);
  // Exactly what an apply with this machine as the primary writes, so that the next `vagrant up`
  // (which applies the roles again) finds nothing changed and does not restart the new primary.
  put('/etc/mysql/mariadb.conf.d/zz-boxwright-role.cnf', dbCnf({ ...state, primary: state.name }));
  put(STATE, `${JSON.stringify({ ...state, primary: state.name })}\n`, 0o600);
  log(`${state.name} is the primary now`);
}

function repoint(name) {
  const state = readState();
  if (state.role !== 'app') fail(`${state.name} is a ${state.role} machine, not an app server`);
  if (!state.dbs.some((d) => d.name === name)) fail(`no database machine ${name}`);
  if (appDropin(state, name)) {
    systemctl('daemon-reload');
    rollApp();
  }
  put(STATE, `${JSON.stringify({ ...state, primary: name })}\n`, 0o600);
  log(`${state.name} writes to ${name}`);
}

function status() {
  const state = readState();
  const out = { role: state.role, name: state.name, primary: state.primary };
  if (state.role === 'db') {
    out.readOnly = sql(['SELECT @@GLOBAL.read_only']).trim() === '1';
    out.replicating = sql(['SHOW SLAVE STATUS']).trim() !== '';
    out.gtid = sql(['SELECT @@GLOBAL.gtid_current_pos']).trim();
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const [command, arg] = process.argv.slice(2);
if (command !== 'render' && process.getuid() !== 0) fail('run as root (sudo)');
if (command === 'render') {
  // What apply would write for the role on stdin (the interface named eth1), without applying it.
  const doc = validate(JSON.parse(readFileSync(0, 'utf8')));
  const files = doc.role === 'lb' ? (({ haproxy, keepalived }) => ({ haproxy, keepalived }))(lbFiles(doc, 'eth1'))
    : doc.role === 'db' ? { cnf: dbCnf(doc) } : { nginx: servedBy(doc) };
  process.stdout.write(`${JSON.stringify(files)}\n`);
} else if (command === 'apply') {
  let doc;
  try {
    doc = JSON.parse(readFileSync(0, 'utf8'));
  } catch {
    fail('apply reads the role as JSON on stdin');
  }
  validate(doc);
  if (doc.role === 'lb') applyLb(doc);
  else if (doc.role === 'app') applyApp(doc);
  else applyDb(doc);
  // The state keeps no secret: they live in /etc/boxwright/secrets (app, db) or keepalived.conf (lb).
  const { secrets: _secrets, ...state } = doc;
  put(STATE, `${JSON.stringify(state)}\n`, 0o600);
  log(`${doc.name}: role ${doc.role} applied`);
} else if (command === 'promote') promote();
else if (command === 'repoint' && arg) repoint(arg);
else if (command === 'status') status();
else if ((command === 'drain' || command === 'ready') && arg) {
  (command === 'drain' ? drain(arg) : ready(arg)).catch((error) => fail(error.message));
} else fail('usage: boxwright-role apply < role.json | render < role.json | promote | repoint DB | status | drain APP | ready APP');
