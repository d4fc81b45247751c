import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { Agent } from 'node:http';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { freePort, renderProvisioners, request, waitForPort } from './helpers.js';

const NGINX = '/usr/sbin/nginx';
const skip = !existsSync(NGINX) ? 'nginx is not installed' : process.getuid?.() !== 0 ? 'needs root' : undefined;

interface Seen { headers: Record<string, string | string[] | undefined>; remotePort: number | undefined }

/** Renders the nginx files for free ports, rewritten to listen on 127.0.0.1 only (this host is shared). */
async function setup() {
  const nginxPort = await freePort();
  const appPort = await freePort();
  const appPortStandby = await freePort();
  const r = await renderProvisioners({ os: 'debian-12', kind: 'chroot', context: { nginxPort, appPort, appPortStandby } });
  const root = path.join(r.dir, 'nginx');
  for (const sub of ['conf.d', 'sites-enabled', 'snippets', 'temp', 'logs']) await mkdir(path.join(root, sub), { recursive: true });
  const local = (text: string) => text
    .replace(/^\s*listen \[::\]:.*\n/gm, '')
    .replace(new RegExp(`listen ${nginxPort}`, 'g'), `listen 127.0.0.1:${nginxPort}`);
  await writeFile(path.join(root, 'conf.d/boxwright.conf'), local(await readFile(path.join(r.dir, 'files/nginx/boxwright-http.conf'), 'utf8')));
  await writeFile(path.join(root, 'sites-enabled/boxwright.conf'), local(await readFile(path.join(r.dir, 'files/nginx/boxwright-site.conf'), 'utf8')));
  // The site includes `snippets/…` relative to the config folder, as /etc/nginx/snippets/ in the box.
  await writeFile(path.join(root, 'snippets/boxwright-security-headers.conf'), await readFile(path.join(r.dir, 'files/nginx/boxwright-security-headers.conf'), 'utf8'));
  const temp = path.join(root, 'temp');
  await writeFile(path.join(root, 'nginx.conf'), `worker_processes 1;
pid ${root}/nginx.pid;
error_log ${root}/logs/error.log;
daemon off;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path ${temp}/body;
    proxy_temp_path ${temp}/proxy;
    fastcgi_temp_path ${temp}/fastcgi;
    uwsgi_temp_path ${temp}/uwsgi;
    scgi_temp_path ${temp}/scgi;
    include ${root}/conf.d/*.conf;
    include ${root}/sites-enabled/*;
}
`);
  return { r, root, nginxPort, appPort, appPortStandby, conf: path.join(root, 'nginx.conf') };
}

/** Closes an HTTP server and its open connections, if it listens. */
async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/**
 * Starts nginx on the rendered site and waits for its port; the test's teardown stops it, closes
 * the given app servers (those listening by then) and removes the render.
 */
async function startNginx(t: ExecutionContext, site: Awaited<ReturnType<typeof setup>>, servers: () => Server[] = () => []): Promise<void> {
  const nginx = spawn(NGINX, ['-p', site.root, '-c', site.conf], { stdio: 'ignore' });
  t.teardown(async () => {
    nginx.kill('SIGTERM');
    await new Promise((resolve) => (nginx.exitCode === null ? nginx.once('exit', resolve) : resolve(undefined)));
    for (const server of servers()) await closeServer(server);
    await rm(site.r.dir, { recursive: true, force: true });
  });
  await waitForPort(site.nginxPort);
}

(skip ? test.serial.skip : test.serial)('the rendered nginx site passes nginx -t', async (t) => {
  const { r, root, conf } = await setup();
  t.teardown(() => rm(r.dir, { recursive: true, force: true }));
  const result = await execa(NGINX, ['-t', '-p', root, '-c', conf], { reject: false });
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stderr, /test is successful/);
});

(skip ? test.serial.skip : test.serial)('nginx proxies the known hosts with security headers, and closes unknown hosts with 444', async (t) => {
  const site = await setup();
  const { nginxPort, appPort } = site;
  const seen: Seen[] = [];
  const app: Server = createServer((req, res) => {
    seen.push({ headers: req.headers, remotePort: req.socket.remotePort });
    const status = req.url === '/missing' ? 404 : 200;
    res.writeHead(status, { 'Content-Type': 'text/plain', 'X-Powered-By': 'leaky/1.0' });
    res.end(status === 200 ? 'hello\n' : 'nope\n');
  });
  app.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => app.listen(appPort, '127.0.0.1', resolve));
  await startNginx(t, site, () => [app]);

  const ok = await request(nginxPort, { host: 'www.foobar.com', headers: { 'X-Forwarded-For': '6.6.6.6' } });
  t.is(ok.status, 200);
  t.is(ok.body, 'hello\n');
  t.is(ok.headers.server, 'nginx', 'server_tokens off: no version');
  t.is(ok.headers['x-powered-by'], undefined);
  const upstream = seen.at(-1)!.headers;
  t.is(upstream.host, 'www.foobar.com');
  t.is(upstream['x-real-ip'], '127.0.0.1');
  t.is(upstream['x-forwarded-for'], '127.0.0.1', 'a client-supplied X-Forwarded-For is not passed on');
  t.is(upstream['x-forwarded-proto'], 'http');
  t.is(upstream.connection, undefined, 'empty Connection header: upstream keep-alive');

  const missing = await request(nginxPort, { host: 'www.foobar.com', path: '/missing' });
  t.is(missing.status, 404);
  for (const reply of [ok, missing]) {
    t.is(reply.headers['x-content-type-options'], 'nosniff');
    t.regex(String(reply.headers['x-frame-options']), /^(DENY|SAMEORIGIN)$/);
    t.truthy(reply.headers['referrer-policy']);
    t.regex(String(reply.headers['content-security-policy']), /default-src 'self'/);
    t.truthy(reply.headers['permissions-policy']);
  }

  t.is((await request(nginxPort, { host: 'foobar.com' })).status, 200, 'the alias is served too');
  t.true((await request(nginxPort, { host: 'evil.example' })).closed, 'unknown Host: 444 closes the connection');
  t.true((await request(nginxPort, { host: '127.0.0.1' })).closed, 'a bare IP is an unknown Host too');

  const tooBig = await request(nginxPort, { host: 'www.foobar.com', method: 'POST', body: Buffer.alloc(2 * 1024 * 1024) });
  t.is(tooBig.status, 413, 'client_max_body_size 1m');
  t.is(tooBig.headers['x-content-type-options'], 'nosniff', 'nginx-made errors carry the headers (always)');

  const before = seen.length;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  await request(nginxPort, { host: 'www.foobar.com', agent });
  await request(nginxPort, { host: 'www.foobar.com', agent });
  agent.destroy();
  const ports = seen.slice(before).map((s) => s.remotePort);
  t.is(ports.length, 2);
  t.is(ports[0], ports[1], 'nginx reuses its upstream connection (keepalive)');
});

(skip ? test.serial.skip : test.serial)('nginx passes a request to the other app instance when one refuses, resets or answers 503, so one can restart at a time', async (t) => {
  const site = await setup();
  const { nginxPort, appPort, appPortStandby } = site;
  // Instance A answers 503 (a release whose database is not there yet), then is stopped (refuses);
  // instance B answers 200. Every request through nginx must be a 200 from B.
  let aMode: '503' | 'reset' = '503';
  const hits = { a: 0, b: 0 };
  const a: Server = createServer((req, res) => {
    hits.a += 1;
    if (aMode === 'reset') { req.socket.destroy(); return; }
    res.writeHead(503, { 'Content-Type': 'text/plain' });
    res.end('starting\n');
  });
  const b: Server = createServer((_req, res) => {
    hits.b += 1;
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('b\n');
  });
  await new Promise<void>((resolve) => a.listen(appPort, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => b.listen(appPortStandby, '127.0.0.1', resolve));
  await startNginx(t, site, () => [a, b]);

  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await request(nginxPort, { host: 'www.foobar.com' })).status);
  t.true(hits.a > 0, 'A was tried');
  aMode = 'reset';
  for (let i = 0; i < 6; i++) statuses.push((await request(nginxPort, { host: 'www.foobar.com' })).status);
  await closeServer(a);
  for (let i = 0; i < 6; i++) statuses.push((await request(nginxPort, { host: 'www.foobar.com' })).status);
  t.deepEqual(statuses, Array(18).fill(200), 'no request failed while A answered 503, reset, or was gone');
  t.is(hits.b, 18);
});

(skip ? test.serial.skip : test.serial)('a booted box, right after vagrant up: while the app is not listening nginx answers 503 with Retry-After and the security headers, never 502', async (t) => {
  const site = await setup();
  const { nginxPort, appPort } = site;
  let app: Server | undefined;
  await startNginx(t, site, () => (app ? [app] : []));

  // Neither instance listens yet (the app is starting).
  const starting = await request(nginxPort, { host: 'www.foobar.com' });
  t.is(starting.status, 503, `GET / while the app starts → ${starting.status}`);
  t.is(starting.headers['retry-after'], '5');
  t.is(starting.headers['cache-control'], 'no-store');
  t.regex(String(starting.headers['content-type']), /^text\/html/);
  t.regex(starting.body, /The application is starting/);
  t.is(starting.headers['x-content-type-options'], 'nosniff', 'the 503 page carries the security headers');
  t.regex(String(starting.headers['content-security-policy']), /default-src 'self'/);
  t.is(starting.headers.server, 'nginx');
  const head = await request(nginxPort, { host: 'www.foobar.com', method: 'HEAD', path: '/healthz' });
  t.is(head.status, 503);

  // Once one instance listens, the same request is served.
  app = createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ready\n'); });
  await new Promise<void>((resolve) => app!.listen(appPort, '127.0.0.1', resolve));
  const ready = await request(nginxPort, { host: 'www.foobar.com' });
  t.is(ready.status, 200);
  t.is(ready.body, 'ready\n');
  t.is(ready.headers['retry-after'], undefined);
});

(skip ? test.serial.skip : test.serial)('probe 16: boxwright-ready (run by the lab after vagrant up) waits through the 503 window and returns once nginx serves the app', async (t) => {
  const site = await setup();
  const { r, appPort } = site;
  const app: Server = createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ready\n'); });
  await startNginx(t, site, () => [app]);
  const ready = execa('bash', [path.join(r.dir, 'files/nginx/boxwright-ready.sh'), '30'], { reject: false });
  // The app comes up three seconds later, as a first boot's app does after nginx.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  t.is(ready.exitCode, null, 'still waiting while nginx answers 503');
  await new Promise<void>((resolve) => app.listen(appPort, '127.0.0.1', resolve));
  const result = await ready;
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^boxwright-ready: http:\/\/www\.foobar\.com\/ answers 200 after \d+ s$/);
});

(skip ? test.serial.skip : test.serial)('boxwright-ready gives up after its limit with the last status, so vagrant up fails instead of returning on a broken site', async (t) => {
  const site = await setup();
  const { r } = site;
  await startNginx(t, site);
  const result = await execa('bash', [path.join(r.dir, 'files/nginx/boxwright-ready.sh'), '2'], { reject: false });
  t.is(result.exitCode, 1);
  t.regex(result.stderr, /did not answer 200 within 2 s \(last status: 503\)/);
  const usage = await execa('bash', [path.join(r.dir, 'files/nginx/boxwright-ready.sh'), 'soon'], { reject: false });
  t.is(usage.exitCode, 2, 'a limit that is not a number is refused');
});
