import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { defaultCacheDir } from '../../lib/render/app-bundle.js';
import { renderContext } from '../../lib/render/context.js';
import { renderTemplate, type RenderContext } from '../../lib/render/mustache.js';
import { loadImage } from '../../lib/image/load.js';
import type { BaseName, ImageSpec } from '../../lib/image/types.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const provisionersDir = path.join(repoRoot, 'provisioners');
export const imageDir = path.join(repoRoot, 'images', 'foobar-web');

/** A variant of the foobar-web spec to render the provisioners for. */
export interface Variant {
  os: BaseName;
  kind: 'vm' | 'chroot';
  firewall?: boolean;
  engine?: 'mysql' | 'mariadb';
  /** Context values to replace (e.g. ports free on this host). */
  context?: Record<string, string | number | boolean>;
}

export const VARIANTS: Variant[] = [
  { os: 'debian-12', kind: 'chroot' },
  { os: 'debian-12', kind: 'vm', firewall: false },
  { os: 'ubuntu-24.04', kind: 'vm' },
  { os: 'ubuntu-24.04', kind: 'vm', engine: 'mariadb' },
  { os: 'debian-13', kind: 'chroot' },
  { os: 'debian-13', kind: 'vm' },
];

export function variantName(v: Variant): string {
  return `${v.os}/${v.kind}${v.engine ? `/${v.engine}` : ''}${v.firewall === false ? '/no-firewall' : ''}`;
}

export async function sampleSpec(v: Variant): Promise<ImageSpec> {
  const spec = await loadImage(imageDir);
  return {
    ...spec,
    database: { ...spec.database, engine: v.engine ?? spec.database.engine },
    firewall: { enabled: v.firewall ?? true },
  };
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** What renderProvisioners wrote: folder + relative paths of scripts, files and checks. */
export interface Rendered {
  dir: string;
  context: RenderContext;
  scripts: string[];
  files: string[];
  checks: string[];
}

/**
 * Renders provisioners/*.sh (shell mode), files/** (config mode; *.sh in shell mode, as lib/render
 * does) and checks/*.sh (shell mode) into a temp folder laid out as in the guest's staging dir.
 */
export async function renderProvisioners(v: Variant, into?: string): Promise<Rendered> {
  const spec = await sampleSpec(v);
  const context: RenderContext = { ...renderContext(spec, { os: v.os, kind: v.kind }), ...v.context };
  const dir = into ?? (await mkdtemp(path.join(os.tmpdir(), 'bw-prov-')));
  const put = async (rel: string, text: string, mode: number) => {
    const target = path.join(dir, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
    await chmod(target, mode);
  };
  const scripts: string[] = [];
  for (const name of (await readdir(provisionersDir)).filter((f) => f.endsWith('.sh')).sort()) {
    const text = await readFile(path.join(provisionersDir, name), 'utf8');
    await put(`scripts/${name}`, renderTemplate(text, context, 'shell', name), 0o755);
    scripts.push(`scripts/${name}`);
  }
  const files: string[] = [];
  for (const rel of await walk(path.join(provisionersDir, 'files'))) {
    const text = await readFile(path.join(provisionersDir, 'files', rel), 'utf8');
    const shell = rel.endsWith('.sh');
    await put(`files/${rel}`, renderTemplate(text, context, shell ? 'shell' : 'config', `files/${rel}`), shell ? 0o755 : 0o644);
    files.push(`files/${rel}`);
  }
  const checks: string[] = [];
  for (const rel of await walk(path.join(provisionersDir, 'checks'))) {
    const text = await readFile(path.join(provisionersDir, 'checks', rel), 'utf8');
    await put(`checks/${rel}`, renderTemplate(text, context, 'shell', `checks/${rel}`), 0o755);
    checks.push(`checks/${rel}`);
  }
  return { dir, context, scripts, files, checks };
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Waits until something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** One HTTP request; `closed` is true when the server closed the connection without answering. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  closed: boolean;
}

export async function request(port: number, options: { host?: string; path?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: unknown }): Promise<Reply> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: options.path ?? '/', method: options.method ?? 'GET',
      headers: { ...(options.host ? { Host: options.host } : {}), ...options.headers },
      agent: (options.agent as never) ?? false,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, closed: false }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || /socket hang up/.test(error.message)) resolve({ status: 0, headers: {}, body: '', closed: true });
      else reject(error);
    });
    req.end(options.body);
  });
}

/**
 * The minimal Debian 12 root the chroot tests provision (mmdebstrap from the mirror), as a tarball
 * cached in the Boxwright cache: made once by whichever test needs it first.
 */
export async function provisionersBaseTarball(): Promise<string> {
  const tarball = path.join(defaultCacheDir(), 'test', 'debian-12-provisioners-base.tar');
  if (!existsSync(tarball)) {
    await mkdir(path.dirname(tarball), { recursive: true });
    const partial = `${tarball}.${process.pid}.partial`;
    await execa('mmdebstrap', ['--variant=apt', '--format=tar', '--include=systemd-sysv,openssh-server,sudo,ca-certificates,iproute2,curl,netbase,procps,less',
      'bookworm', partial, 'http://deb.debian.org/debian'], { stdio: 'inherit', env: { TMPDIR: os.tmpdir() } });
    await execa('mv', [partial, tarball]);
  }
  return tarball;
}
