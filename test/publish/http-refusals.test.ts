import test from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isBoxwrightError } from '../../lib/errors.js';
import type { PublishEvent } from '../../lib/publish/events.js';
import { HttpClient, RegistryHttpError } from '../../lib/publish/http.js';
import { publishToVagrantCloud } from '../../lib/publish/vagrant-cloud.js';
import { fakeBox, tempDir } from './helpers.js';

// Real sockets on 127.0.0.1: what undici does with redirects and bad headers is the point here.
async function server(t: { teardown: (fn: () => Promise<void>) => void }, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: string[] = [];
  const s = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${bytes}`);
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => s.close(() => resolve())));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, requests };
}

// Issue 14, row 14: an upload answered with a 307 to another origin was sent 5 times in full.
test('probe 14: an upload redirected to another origin is refused at once, sent once, never to the other origin', async (t) => {
  const other = await server(t, (_req, res) => res.writeHead(200).end());
  const storage = await server(t, (_req, res) => res.writeHead(307, { Location: `${other.url}/elsewhere` }).end());
  const events: PublishEvent[] = [];
  const http = new HttpClient({ retryDelayMs: 1, onEvent: (e) => events.push(e) });
  const error = await t.throwsAsync(http.request({ method: 'PUT', url: `${storage.url}/up`, headers: { Authorization: 'Bearer sekrit-token-1234' }, body: () => ({ body: 'x'.repeat(1000), length: 1000 }) }));
  t.true(error instanceof RegistryHttpError, String(error));
  t.regex(error!.message, /redirected PUT .* \(HTTP 307\) to http:\/\/127\.0\.0\.1:\d+\/elsewhere, to another origin.*refused/);
  t.deepEqual(storage.requests, ['PUT /up 1000']);
  t.deepEqual(other.requests, [], 'nothing (and no token) went to the other origin');
  t.deepEqual(events, [], 'no retry');
});

test('probe 14: an upload redirected within its origin is refused too (the body is not sent twice)', async (t) => {
  const storage = await server(t, (req, res) => res.writeHead(307, { Location: '/moved' }).end());
  const http = new HttpClient({ retryDelayMs: 1 });
  const error = await t.throwsAsync(http.request({ method: 'PUT', url: `${storage.url}/up`, body: () => ({ body: 'abc', length: 3 }) }));
  t.regex(error!.message, /for an upload, which is never followed/);
  t.is(storage.requests.length, 1);
});

test('a GET redirected within its origin is followed; to another origin it is refused', async (t) => {
  const other = await server(t, (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"foreign":true}'));
  const api = await server(t, (req, res) => {
    if (req.url === '/a') return void res.writeHead(302, { Location: '/b' }).end();
    if (req.url === '/b') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":1}');
    res.writeHead(301, { Location: `${other.url}/x` }).end();
  });
  const http = new HttpClient({ retryDelayMs: 1 });
  t.like(await http.request({ method: 'GET', url: `${api.url}/a` }), { status: 200, data: { ok: 1 } });
  await t.throwsAsync(http.request({ method: 'GET', url: `${api.url}/c` }), { message: /to another origin/ });
  t.deepEqual(other.requests, []);
});

// Issue 14, row 14: a token with a bad character was retried as a "network error".
test('probe 14: a token with a newline is refused before anything is sent, naming the env var, not retried', async (t) => {
  const api = await server(t, (_req, res) => res.writeHead(200).end('{}'));
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const box = await fakeBox(join(dir, 'out'));
  const events: PublishEvent[] = [];
  const error = await t.throwsAsync(publishToVagrantCloud({ box: 'acme/web', apiUrl: api.url, token: 'abc-secret\ninjected: 1', file: box.path, provider: 'libvirt', version: '1.0.0', retryDelayMs: 1, onEvent: (e) => events.push(e) }));
  t.true(isBoxwrightError(error, 'E_USAGE'), String(error));
  t.regex(error!.message, /VAGRANT_CLOUD_TOKEN/);
  t.notRegex(error!.message, /abc-secret|--token/);
  t.deepEqual(api.requests, []);
  t.false(events.some((e) => e.type === 'log' && /retry/.test(e.message)));
});

// Issue 14, row 14: a foreign `{}` was taken as "box found".
test('probe 14: a foreign {} answer is not taken as the box found, and nothing is created or uploaded', async (t) => {
  const api = await server(t, (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const box = await fakeBox(join(dir, 'out'));
  const error = await t.throwsAsync(publishToVagrantCloud({ box: 'acme/web', apiUrl: api.url, token: 'tok-123456', file: box.path, provider: 'libvirt', version: '1.0.0', retryDelayMs: 1 }));
  t.true(isBoxwrightError(error, 'E_PUBLISH'), String(error));
  t.regex(error!.message, /not a Vagrant Cloud box \(\{\}\): check --api-url/);
  t.deepEqual(api.requests.map((r) => r.split(' ')[0]), ['GET']);
});

test('a 4xx answer is not retried, a 5xx is', async (t) => {
  let n = 0;
  const api = await server(t, (_req, res) => res.writeHead(++n === 1 ? 503 : 400, { 'Content-Type': 'application/json' }).end('{"errors":["bad"]}'));
  const http = new HttpClient({ retryDelayMs: 1 });
  const error = await t.throwsAsync(http.request({ method: 'GET', url: `${api.url}/x` }));
  t.is((error as RegistryHttpError).status, 400);
  t.is(api.requests.length, 2);
});
