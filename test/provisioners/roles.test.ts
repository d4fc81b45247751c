/**
 * The ha role program (provisioners/files/roles/boxwright-role.cjs): its `render` command writes
 * nothing and prints what `apply` would write, so the configurations can be checked by the real
 * tools on this host (haproxy -c, keepalived --config-test) without a VM.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { hasCommand } from '../lab/helpers.js';
import { renderProvisioners } from './helpers.js';

const m = (name: string, ip: string) => ({ name, ip });
const SECRETS = { appDb: 'a'.repeat(40), replication: 'r'.repeat(40), vrrp: 'v1234567'.repeat(5) };
const doc = (role: string, name: string, ip: string, extra: Record<string, unknown> = {}) => ({
  role, name, ip, vip: '192.168.56.10',
  lbs: [m('lb1', '192.168.56.11'), m('lb2', '192.168.56.12')],
  apps: [m('app1', '192.168.56.31'), m('app2', '192.168.56.32')],
  dbs: [m('db1', '192.168.56.21'), m('db2', '192.168.56.22')],
  primary: 'db1', secrets: SECRETS, ...extra,
});

async function role(t: { teardown(fn: () => Promise<void>): void }, args: string[], input: unknown) {
  const r = await renderProvisioners({ os: 'debian-12', kind: 'chroot' });
  t.teardown(() => rm(r.dir, { recursive: true, force: true }));
  // Run as installed: /usr/local/sbin/boxwright-role, no extension (Node runs it as CommonJS).
  const installed = path.join(r.dir, 'boxwright-role');
  await copyFile(path.join(r.dir, 'files/roles/boxwright-role.cjs'), installed);
  return execa('node', [installed, ...args], { input: typeof input === 'string' ? input : JSON.stringify(input), reject: false });
}

async function withFile(t: { teardown(fn: () => Promise<void>): void }, name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bw-roles-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

(hasCommand('haproxy') ? test : test.skip)('the load balancer\'s haproxy.cfg passes haproxy -c: health checks on /healthz, retries, redispatch, admin socket, stats on loopback', async (t) => {
  const run = await role(t, ['render'], doc('lb', 'lb1', '192.168.56.11'));
  t.is(run.exitCode, 0, run.stderr);
  const { haproxy } = JSON.parse(run.stdout) as { haproxy: string };
  for (const line of ['http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host www.foobar.com', 'option redispatch 1', 'retries 3',
    'retry-on all-retryable-errors', 'option dontlog-normal', 'log /dev/log local0 info', 'stats socket /run/haproxy/admin.sock mode 600 level admin', 'bind 127.0.0.1:8404',
    'server app1 192.168.56.31:80 check', 'server app2 192.168.56.32:80 check']) {
    t.true(haproxy.includes(line), line);
  }
  t.regex(haproxy, /inter 1s .*fall 2 rise 2/, 'down after two failed checks a second apart');
  const check = await execa('haproxy', ['-c', '-f', await withFile(t, 'haproxy.cfg', haproxy)], { reject: false });
  t.is(check.exitCode, 0, check.stdout + check.stderr);
});

(hasCommand('keepalived') && process.getuid?.() === 0 ? test : test.skip)('the load balancers\' keepalived.conf holds the VIP by unicast VRRP, lb1 as master, and passes keepalived --config-test', async (t) => {
  const lb1 = JSON.parse((await role(t, ['render'], doc('lb', 'lb1', '192.168.56.11'))).stdout) as { keepalived: string };
  const lb2 = JSON.parse((await role(t, ['render'], doc('lb', 'lb2', '192.168.56.12'))).stdout) as { keepalived: string };
  t.regex(lb1.keepalived, /state MASTER[^]*priority 150[^]*unicast_src_ip 192\.168\.56\.11[^]*unicast_peer \{\s*192\.168\.56\.12\s*\}/);
  t.regex(lb2.keepalived, /state BACKUP[^]*priority 100[^]*unicast_src_ip 192\.168\.56\.12[^]*unicast_peer \{\s*192\.168\.56\.11\s*\}/);
  t.regex(lb1.keepalived, /virtual_ipaddress \{\s*192\.168\.56\.10\/24 dev eth1\s*\}/);
  t.regex(lb1.keepalived, /auth_pass v1234567\n/, 'VRRP PASS auth takes 8 characters of the lab secret');
  // In a private network namespace holding an eth1 of its own (a veth link), as the lab's VMs do.
  const file = await withFile(t, 'keepalived.conf', lb1.keepalived);
  const check = await execa('unshare', ['--net', 'sh', '-c', 'ip link add eth1 type veth peer name eth1p && ip link set eth1 up && keepalived --config-test -f "$0"', file], { reject: false });
  t.is(check.exitCode, 0, check.stdout + check.stderr);
});

test('the database machines replicate by GTID, semi-synchronously, the replica read-only', async (t) => {
  const primary = JSON.parse((await role(t, ['render'], doc('db', 'db1', '192.168.56.21'))).stdout) as { cnf: string };
  const replica = JSON.parse((await role(t, ['render'], doc('db', 'db2', '192.168.56.22'))).stdout) as { cnf: string };
  t.regex(primary.cnf, /^bind-address\s+= 192\.168\.56\.21$/m);
  t.regex(primary.cnf, /^server_id\s+= 1$/m);
  t.regex(replica.cnf, /^server_id\s+= 2$/m);
  t.regex(primary.cnf, /^read_only\s+= OFF$/m);
  t.regex(replica.cnf, /^read_only\s+= ON$/m);
  for (const cnf of [primary.cnf, replica.cnf]) {
    t.regex(cnf, /^gtid_strict_mode\s+= ON$/m);
    t.regex(cnf, /^rpl_semi_sync_master_wait_point = AFTER_SYNC$/m);
  }
  const promoted = JSON.parse((await role(t, ['render'], doc('db', 'db2', '192.168.56.22', { primary: 'db2' }))).stdout) as { cnf: string };
  t.regex(promoted.cnf, /^read_only\s+= OFF$/m);
});

test('an app server names itself in X-Served-By', async (t) => {
  const run = await role(t, ['render'], doc('app', 'app2', '192.168.56.32'));
  t.is((JSON.parse(run.stdout) as { nginx: string }).nginx, 'add_header X-Served-By "app2" always;\n');
});

test('a role document with a missing secret, a bad address or an unknown primary is refused and nothing is applied', async (t) => {
  for (const [bad, message] of [
    [doc('app', 'app1', '192.168.56.31', { secrets: { ...SECRETS, vrrp: 'short' } }), /secrets\.vrrp is missing or malformed/],
    [doc('app', 'app1', '192.168.56.300'), /ip must be an IPv4 address/],
    [doc('db', 'db1', '192.168.56.21', { primary: 'db9' }), /primary must name one of dbs/],
    [doc('cache', 'c1', '192.168.56.40'), /role must be lb, app or db/],
    ['not json', /SyntaxError|JSON/],
  ] as const) {
    const run = await role(t, ['render'], bad);
    t.is(run.exitCode, 1, JSON.stringify(bad));
    t.regex(run.stderr, message);
    t.false(run.stderr.includes('a'.repeat(40)), 'no secret in the message');
  }
});
