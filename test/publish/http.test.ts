import test from 'ava';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isBoxwrightError } from '../../lib/errors.js';
import type { PublishEvent } from '../../lib/publish/events.js';
import { HttpClient, RegistryHttpError, redact, safeUrl } from '../../lib/publish/http.js';
import { tempDir } from './helpers.js';

// Real sockets on 127.0.0.1 (no nock): checks what undici itself sends.
async function server(t: { teardown: (fn: () => Promise<void>) => void }, handler: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  let n = 0;
  const s = createServer((req, res) => handler(req, res, ++n));
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => s.close(() => resolve())));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });
}

test('a file upload streams over a real socket with its Content-Length', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'f.box');
  const content = 'x'.repeat(200_000);
  await writeFile(file, content);
  let got = '';
  let length: string | undefined;
  let auth: string | undefined;
  const url = await server(t, async (req, res) => {
    length = req.headers['content-length'];
    auth = req.headers.authorization;
    got = await readBody(req);
    res.writeHead(200).end();
  });
  const http = new HttpClient({ retryDelayMs: 1 });
  await http.request({ method: 'PUT', url: `${url}/up`, body: () => ({ body: Readable.toWeb(createReadStream(file)) as unknown as BodyInit, length: content.length }) });
  t.is(length, String(content.length));
  t.is(got, content);
  t.is(auth, undefined);
});

test('a dropped connection is retried with a fresh body, then succeeds', async (t) => {
  const bodies: string[] = [];
  const url = await server(t, async (req, res, n) => {
    bodies.push(await readBody(req));
    if (n === 1) return void req.socket.destroy();
    res.writeHead(201, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });
  const events: PublishEvent[] = [];
  const http = new HttpClient({ retryDelayMs: 1, onEvent: (e) => events.push(e) });
  const r = await http.request<{ ok: boolean }>({ method: 'POST', url: `${url}/x`, json: { a: 1 } });
  t.like(r, { status: 201, data: { ok: true } });
  t.deepEqual(bodies, ['{"a":1}', '{"a":1}']);
  t.is(events.length, 1);
  t.regex((events[0] as { message: string }).message, /network error.*retry 2\/5/);
});

test('a refused connection gives up after maxAttempts with E_PUBLISH', async (t) => {
  // a port that was just free: listen, close, then connect to it
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const closedPort = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  const http = new HttpClient({ retryDelayMs: 1, maxAttempts: 3 });
  const error = await t.throwsAsync(http.request({ method: 'GET', url: `http://127.0.0.1:${closedPort}/` }));
  t.true(isBoxwrightError(error, 'E_PUBLISH'));
  t.regex(error!.message, /after 3 attempts.*ECONNREFUSED/);
});

test('429 honours Retry-After and a 4xx is not retried', async (t) => {
  const url = await server(t, (req, res, n) => {
    if (n === 1) return void res.writeHead(429, { 'Retry-After': '0' }).end();
    res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"errors":["You are not a member"],"success":false}');
  });
  const http = new HttpClient({ retryDelayMs: 1 });
  const error = await t.throwsAsync(http.request({ method: 'GET', url: `${url}/x` }));
  t.true(error instanceof RegistryHttpError);
  t.is((error as RegistryHttpError).status, 403);
  t.regex(error!.message, /HTTP 403: You are not a member/);
});

test('redact removes secrets in plain and URL-encoded form', (t) => {
  t.is(redact('a tok;en=1 b tok%3Ben%3D1', ['tok;en=1']), 'a [REDACTED] b [REDACTED]');
  t.is(redact('short ab', ['ab']), 'short ab', 'too-short secrets are ignored');
});

test('safeUrl drops query strings of signed URLs', (t) => {
  t.is(safeUrl('https://s.example.com/b/o?X-Amz-Signature=abc#f'), 'https://s.example.com/b/o');
});
