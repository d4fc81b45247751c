import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const S3RVER = new URL('../../node_modules/.bin/s3rver', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** s3rver 3.x (npm), an S3 emulator, in its own process on 127.0.0.1 with bucket `boxes`. */
export interface S3rver {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** The credentials s3rver's default account signs with (its defaults, not secrets). */
export const S3RVER_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

export async function startS3rver(dir: string): Promise<S3rver> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [S3RVER, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent', '--configure-bucket', 'boxes'], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${endpoint}/`).then(() => true, () => false)) break;
    await sleep(50);
  }
  return {
    endpoint, port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** A real HTTP proxy in front of s3rver that does what s3rver 3.x does not: S3 conditional writes. */
export interface ConditionalProxy {
  endpoint: string;
  /** Paths of the PUTs answered 412 because their If-Match / If-None-Match did not hold (probes too). */
  preconditionFailed: string[];
  /** Runs once, before the next conditional PUT of a key ending with `suffix` is judged. */
  beforeNextConditionalPut?: { suffix: string; run: () => Promise<void> };
  stop(): Promise<void>;
}

function forward(upstreamPort: number, req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const up = httpRequest({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', resolve);
    });
    up.on('error', () => {
      res.writeHead(502).end();
      resolve();
    });
    if (body) up.end(body);
    else req.pipe(up);
  });
}

function headEtag(upstreamPort: number, path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const r = httpRequest({ host: '127.0.0.1', port: upstreamPort, method: 'HEAD', path }, (answer) => {
      answer.resume();
      resolve(answer.statusCode === 200 ? String(answer.headers.etag ?? '') : undefined);
    });
    r.on('error', () => resolve(undefined));
    r.end();
  });
}

const PRECONDITION = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';

/**
 * Enforces `If-Match` / `If-None-Match: *` on PUT object (as AWS S3 does since 2024), one request
 * per key at a time so the check and the write are one step; everything else passes through
 * unchanged (headers too, so s3rver still verifies the SDK's signatures).
 */
export async function startConditionalProxy(upstreamPort: number): Promise<ConditionalProxy> {
  const queues = new Map<string, Promise<void>>();
  const proxy: ConditionalProxy = { endpoint: '', preconditionFailed: [], stop: async () => undefined };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    const conditional = req.method === 'PUT' && !url.searchParams.has('uploadId') && (ifMatch !== undefined || ifNoneMatch !== undefined);
    if (!conditional) return void forward(upstreamPort, req, res);
    const key = url.pathname;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const hook = proxy.beforeNextConditionalPut;
      if (hook && key.endsWith(hook.suffix)) {
        proxy.beforeNextConditionalPut = undefined;
        await hook.run(); // "another publisher" writes first
      }
      const previous = queues.get(key) ?? Promise.resolve();
      const turn = previous.then(async () => {
        const etag = await headEtag(upstreamPort, key);
        const strip = (v: string) => v.replace(/^W\//, '').replace(/"/g, '');
        const holds = ifNoneMatch === '*' ? etag === undefined : ifMatch !== undefined && etag !== undefined && strip(String(ifMatch)) === strip(etag);
        if (!holds) {
          proxy.preconditionFailed.push(key);
          res.writeHead(412, { 'Content-Type': 'application/xml' }).end(PRECONDITION);
          return;
        }
        await forward(upstreamPort, req, res, Buffer.concat(chunks));
      });
      queues.set(key, turn.catch(() => undefined));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return proxy;
}
