/**
 * The load balancer role's `drain` and `ready` commands against a real HAProxy on loopback, in front
 * of two small HTTP servers standing in for app1 and app2. The probe of the second six-machine lab
 * lost 2 of 3968 requests (read errors) while a deploy restarted app servers that HAProxy still
 * sent requests to; `boxwright deploy` now drains each app server on every load balancer first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { hasCommand } from '../lab/helpers.js';
import { freePort, renderProvisioners, waitForPort } from './helpers.js';

const enabled = hasCommand('haproxy') && process.getuid?.() === 0;

/** An app server stand-in: names itself in X-Served-By; /slow answers after 1.5 s. */
async function appServer(name: string): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const answer = () => res.writeHead(200, { 'X-Served-By': name }).end(req.url === '/healthz' ? 'ok\n' : `${name}\n`);
    if (req.url === '/slow') setTimeout(answer, 1500);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

interface Lab {
  role: (command: string, server: string, env?: Record<string, string>) => Promise<{ exitCode?: number | undefined; stdout: string; stderr: string }>;
  get: (urlPath: string) => Promise<string>;
  app1: Server;
}

async function startLab(t: { teardown(fn: () => void | Promise<void>): void }): Promise<Lab> {
  const r = await renderProvisioners({ os: 'debian-13', kind: 'chroot' });
  const work = await mkdtemp(path.join(os.tmpdir(), 'bw-role-lb-'));
  const [app1, app2] = [await appServer('app1'), await appServer('app2')];
  let haproxy: ChildProcess | undefined;
  t.teardown(async () => {
    if (haproxy?.pid) process.kill(haproxy.pid, 'SIGTERM');
    app1.server.close();
    app2.server.close();
    await rm(r.dir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });
  const program = path.join(work, 'boxwright-role');
  await copyFile(path.join(r.dir, 'files/roles/boxwright-role.cjs'), program);
  const socket = path.join(work, 'admin.sock');
  const state = path.join(work, 'role.json');
  await writeFile(state, JSON.stringify({ role: 'lb', name: 'lb1', apps: [{ name: 'app1', ip: '127.0.0.1' }, { name: 'app2', ip: '127.0.0.1' }] }));
  const port = await freePort();
  const cfg = path.join(work, 'haproxy.cfg');
  await writeFile(cfg, `global
    stats socket ${socket} mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend www
    bind 127.0.0.1:${port}
    default_backend app
backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz
    default-server inter 200ms fall 2 rise 2
    server app1 127.0.0.1:${app1.port} check
    server app2 127.0.0.1:${app2.port} check
`);
  haproxy = spawn('haproxy', ['-db', '-f', cfg], { stdio: 'ignore' });
  await waitForPort(port);
  const env = { BOXWRIGHT_HAPROXY_SOCKET: socket, BOXWRIGHT_ROLE_STATE: state };
  const lab: Lab = {
    role: (command, server, extra = {}) => execa('node', [program, command, server], { env: { ...env, ...extra }, reject: false }),
    get: async (urlPath) => (await fetch(`http://127.0.0.1:${port}${urlPath}`, { headers: { Connection: 'close' } })).headers.get('x-served-by') ?? '-',
    app1: app1.server,
  };
  // Both servers UP (two good checks) before the test starts.
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    const seen = new Set(await Promise.all(Array.from({ length: 4 }, () => lab.get('/'))));
    if (seen.has('app1') && seen.has('app2')) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return lab;
}

(enabled ? test.serial : test.serial.skip)('probe: a deploy lost requests to app servers HAProxy still used; drain sends a server no new request and waits for those in flight, ready takes it back once UP', async (t) => {
  const lab = await startLab(t);
  // Four slow requests in flight: round robin puts two on app1.
  const slow = Promise.all(Array.from({ length: 4 }, () => lab.get('/slow')));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = Date.now();
  const drain = await lab.role('drain', 'app1');
  const drainMs = Date.now() - started;
  t.is(drain.exitCode, 0, drain.stderr);
  t.deepEqual(JSON.parse(drain.stdout), { server: 'app1', status: 'DRAIN', sessions: 0 });
  t.true(drainMs >= 800, `drain returned after ${drainMs} ms, before app1's requests in flight were done`);
  t.deepEqual((await slow).sort(), ['app1', 'app1', 'app2', 'app2'], 'the requests in flight were answered');

  const whileDrained = await Promise.all(Array.from({ length: 10 }, () => lab.get('/')));
  t.deepEqual([...new Set(whileDrained)], ['app2'], 'a drained server gets no new request');

  const ready = await lab.role('ready', 'app1');
  t.is(ready.exitCode, 0, ready.stderr);
  t.like(JSON.parse(ready.stdout), { server: 'app1', status: 'UP' });
  const after = await Promise.all(Array.from({ length: 10 }, () => lab.get('/')));
  t.true(after.includes('app1'), `app1 serves again: ${after.join(' ')}`);
});

(enabled ? test.serial : test.serial.skip)('ready fails, naming the state HAProxy reports, when the server does not come back healthy', async (t) => {
  const lab = await startLab(t);
  t.is((await lab.role('drain', 'app1')).exitCode, 0);
  lab.app1.closeAllConnections();
  await new Promise((resolve) => lab.app1.close(resolve));
  // Two failed checks 200 ms apart mark it down; ready must not find it still UP from before.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const ready = await lab.role('ready', 'app1', { BOXWRIGHT_ROLE_READY_SECONDS: '3' });
  t.is(ready.exitCode, 1);
  t.regex(ready.stderr, /app1 is back in rotation but not healthy after 3 s \(HAProxy says DOWN/);
});

(enabled ? test.serial : test.serial.skip)('drain and ready refuse a server the load balancer does not know', async (t) => {
  const lab = await startLab(t);
  const r = await lab.role('drain', 'app9');
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /no app server app9 in lb1's role/);
});
