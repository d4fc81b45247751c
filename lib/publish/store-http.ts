import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxwrightError } from '../errors.js';
import { METADATA_FILE } from './catalog-metadata.js';
import { httpCredentials, PUBLISH_ENV } from './credentials.js';
import type { PublishEventHandler } from './events.js';
import { HttpClient, type RetryOptions } from './http.js';
import type { CatalogSnapshot, CatalogStore } from './store.js';

/** Options of an {@link HttpStore}. */
export interface HttpStoreOptions extends RetryOptions {
  /** The catalog folder URL, normalized (ends with `/`, no credentials). */
  url: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Write metadata.json without a condition or lock where the server offers neither. @default false */
  singleWriter?: boolean;
  onEvent?: PublishEventHandler;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** A lock older than this (by the server's clock) is taken as left by a dead publish. @default 60000 */
  lockStaleMs?: number;
  /** How long to wait for a live lock. @default 300000 */
  lockWaitMs?: number;
}

/** How metadata.json is written without losing another publish's entry. */
type WriteMode = 'conditional' | 'lock' | 'single-writer';

/** Name of the probe object (left only on servers that ignore If-Match and refuse DELETE). */
export const PROBE_NAME = '.boxwright-probe';
/** Name of the lock collection made with MKCOL on servers without conditional writes. */
export const LOCK_NAME = '.boxwright-lock/';

const HINTS: Record<number, string> = {
  401: `check ${PUBLISH_ENV.token}, or ${PUBLISH_ENV.user} and ${PUBLISH_ENV.password}: missing, wrong or expired`,
  403: 'the credentials may not write there: give ones that can',
  404: 'check --catalog-url',
  405: 'the server does not accept this method there (nginx: dav_methods PUT DELETE MKCOL)',
  409: 'a parent folder is missing on the server (nginx: create_full_put_path on)',
  413: 'the server refuses a body this large (nginx: client_max_body_size 0)',
};

/**
 * A catalog on a server that takes HTTP PUT (WebDAV, nginx `dav_methods`, Artifactory, Nexus raw,
 * …). metadata.json is written with `If-Match` (or `If-None-Match: *` when new) where the server
 * honours it — found out by a probe PUT with a wrong If-Match, which must answer 412. Where it does
 * not (nginx's DAV module ignores If-Match), publishes take turns under a lock collection made with
 * MKCOL (atomic: a second MKCOL of it fails); with neither, publishing is refused unless
 * `singleWriter`.
 */
export class HttpStore implements CatalogStore {
  readonly location: string;
  readonly defaultBaseUrl: string;
  readonly #url: string;
  readonly #http: HttpClient;
  readonly #auth: Record<string, string>;
  readonly #options: HttpStoreOptions;
  #mode?: WriteMode;

  constructor(options: HttpStoreOptions) {
    this.#url = options.url;
    this.location = options.url;
    this.defaultBaseUrl = options.url;
    this.#options = options;
    const credentials = httpCredentials(options.env);
    this.#auth = credentials.headers;
    this.#http = new HttpClient({
      ...options, secrets: credentials.secrets, service: new URL(options.url).host, hints: HINTS,
      invalidHeaderHint: `the credentials (${credentials.source}) must not contain a newline, control characters or surrounding spaces`,
    });
  }

  /** How metadata.json will be written (after {@link prepare}). */
  get mode(): WriteMode | undefined {
    return this.#mode;
  }

  #at(relative: string): string {
    return new URL(relative.split('/').map(encodeURIComponent).join('/'), this.#url).href;
  }

  async prepare(): Promise<void> {
    if (this.#mode) return;
    const probe = this.#at(PROBE_NAME);
    const answer = await this.#http.request({
      method: 'PUT', url: probe, expect: [412],
      headers: { ...this.#auth, 'If-Match': `"boxwright-probe-${randomBytes(8).toString('hex')}"`, 'Content-Type': 'text/plain' },
      body: () => ({ body: 'Boxwright probe: does this server honour If-Match on PUT? Safe to delete.\n' }),
    });
    if (answer.status === 412) {
      this.#mode = 'conditional';
      return;
    }
    // The server wrote it despite the wrong If-Match: it cannot make a write conditional.
    await this.#http.request({ method: 'DELETE', url: probe, headers: this.#auth, expect: [404, 405, 403, 501] }).catch(() => undefined);
    if (await this.#lockSupported()) {
      this.#mode = 'lock';
      this.#options.onEvent?.({ type: 'log', level: 'info', message: `${this.#url} ignores If-Match on PUT; publishes take turns under the lock ${LOCK_NAME} (MKCOL)` });
      return;
    }
    if (this.#options.singleWriter) {
      this.#mode = 'single-writer';
      this.#options.onEvent?.({ type: 'log', level: 'warn', message: `${this.#url} can neither write conditionally nor lock; writing metadata.json unguarded (--single-writer)` });
      return;
    }
    throw new BoxwrightError(
      'E_PUBLISH',
      `${this.#url} cannot make the write of ${METADATA_FILE} conditional: it accepted a PUT with a wrong If-Match (nginx's DAV module ignores If-Match), and it allows no MKCOL to lock the catalog. ` +
        'Two publishes at once could lose one of them, so this one is refused and nothing was uploaded. Fix: let the server lock (nginx: "dav_methods PUT DELETE MKCOL;"), use a server that honours If-Match, ' +
        'or pass --single-writer when no other publish can run against this catalog meanwhile.',
      { path: 'catalogUrl' },
    );
  }

  /** Whether MKCOL works here: made (then removed), or refused only because the lock exists now. */
  async #lockSupported(): Promise<boolean> {
    const lock = this.#at(LOCK_NAME);
    const made = await this.#http.request({ method: 'MKCOL', url: lock, headers: this.#auth, expect: [400, 403, 405, 409, 501] });
    if (made.status < 300) {
      await this.#http.request({ method: 'DELETE', url: lock, headers: this.#auth, expect: [404] });
      return true;
    }
    if (made.status !== 405) return false;
    const exists = await this.#http.request({ method: 'GET', url: lock, headers: this.#auth, expect: [403, 404] });
    return exists.status !== 404;
  }

  async read(): Promise<CatalogSnapshot> {
    const res = await this.#http.request({
      method: 'GET', url: this.#at(METADATA_FILE), expect: [404],
      headers: { ...this.#auth, Accept: 'application/json', 'Accept-Encoding': 'identity', 'Cache-Control': 'no-cache' },
    });
    if (res.status === 404) return {};
    const etag = res.headers.get('etag') ?? undefined;
    return { text: res.text, ...(etag ? { etag } : {}) };
  }

  async hasBox(relative: string, size: number): Promise<boolean> {
    const res = await this.#http.request({ method: 'HEAD', url: this.#at(relative), headers: this.#auth, expect: [404, 403] });
    return res.status === 200 && Number(res.headers.get('content-length')) === size;
  }

  async putBox(relative: string, file: string, size: number): Promise<void> {
    const url = this.#at(relative);
    await this.#http.request({
      method: 'PUT', url, headers: { ...this.#auth, 'Content-Type': 'application/octet-stream' },
      body: () => ({ body: Readable.toWeb(createReadStream(file)) as unknown as BodyInit, length: size }),
    });
    if (!(await this.hasBox(relative, size))) {
      throw new BoxwrightError('E_PUBLISH', `${url} does not hold the ${size} bytes just uploaded (a HEAD says otherwise): check the server's storage; nothing points at it yet.`);
    }
  }

  async commit(expected: CatalogSnapshot, text: string): Promise<boolean> {
    if (this.#mode === undefined) await this.prepare();
    if (this.#mode === 'conditional') {
      if (expected.text !== undefined && !expected.etag) {
        throw new BoxwrightError('E_PUBLISH', `${this.#url} honours If-Match but gave no ETag with ${METADATA_FILE}: conditional writes are impossible there; enable ETags on the server.`);
      }
      const condition: Record<string, string> = expected.text === undefined ? { 'If-None-Match': '*' } : { 'If-Match': expected.etag as string };
      const res = await this.#putMetadata(text, condition);
      return res !== 412;
    }
    const write = async (): Promise<boolean> => {
      const now = await this.read();
      if (now.text !== expected.text) return false;
      await this.#putMetadata(text, {});
      return true;
    };
    return this.#mode === 'lock' ? this.#withLock(write) : write();
  }

  async #putMetadata(text: string, condition: Record<string, string>): Promise<number> {
    const res = await this.#http.request({
      method: 'PUT', url: this.#at(METADATA_FILE), expect: [412],
      headers: { ...this.#auth, ...condition, 'Content-Type': 'application/json' },
      body: () => ({ body: text }),
    });
    return res.status;
  }

  /** Runs `fn` holding the MKCOL lock: waits for a live one, removes one left by a dead publish. */
  async #withLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = this.#at(LOCK_NAME);
    const ownerUrl = this.#at(`${LOCK_NAME}owner`);
    const token = randomBytes(12).toString('hex');
    const staleMs = this.#options.lockStaleMs ?? 60_000;
    const deadline = Date.now() + (this.#options.lockWaitMs ?? 300_000);
    let ownerlessSince: number | undefined;
    let told = false;
    for (;;) {
      const made = await this.#http.request({ method: 'MKCOL', url: lock, headers: this.#auth, expect: [405] });
      if (made.status < 300) {
        const owner = JSON.stringify({ host: hostname(), pid: process.pid, token, since: new Date().toISOString() });
        await this.#http.request({ method: 'PUT', url: ownerUrl, headers: { ...this.#auth, 'Content-Type': 'application/json' }, body: () => ({ body: owner }) });
        break;
      }
      const owner = await this.#http.request<{ host?: string; pid?: number; since?: string }>({ method: 'GET', url: ownerUrl, headers: { ...this.#auth, 'Cache-Control': 'no-cache' }, expect: [404] });
      const age = owner.status === 200 ? serverAge(owner.headers) : undefined;
      if (owner.status !== 200) ownerlessSince ??= Date.now();
      const stale = age !== undefined ? age > staleMs : ownerlessSince !== undefined && Date.now() - ownerlessSince > staleMs;
      const who = owner.status === 200 ? `process ${String(owner.data.pid)} on ${String(owner.data.host)} since ${String(owner.data.since)}` : 'a publish that has not named itself yet';
      if (stale) {
        this.#options.onEvent?.({ type: 'log', level: 'warn', message: `removing the lock ${lock} left by ${who} (older than ${staleMs / 1000} s)` });
        await this.#http.request({ method: 'DELETE', url: lock, headers: this.#auth, expect: [404] });
        ownerlessSince = undefined;
        continue;
      }
      if (Date.now() > deadline) {
        throw new BoxwrightError('E_BUSY', `${lock} is held by ${who}: wait for that publish to end and run again (if none runs, delete ${lock}).`);
      }
      if (!told) {
        this.#options.onEvent?.({ type: 'log', level: 'info', message: `waiting for the catalog lock held by ${who}` });
        told = true;
      }
      await sleep(100 + Math.random() * 300);
    }
    try {
      return await fn();
    } finally {
      const owner = await this.#http.request<{ token?: string }>({ method: 'GET', url: ownerUrl, headers: { ...this.#auth, 'Cache-Control': 'no-cache' }, expect: [404] }).catch(() => undefined);
      if (owner?.data.token === token) await this.#http.request({ method: 'DELETE', url: lock, headers: this.#auth, expect: [404] }).catch(() => undefined);
    }
  }

  locate(relative: string): string {
    return this.#at(relative);
  }
}

/** Age of a resource by the server's own clock (Date − Last-Modified), so host clocks do not matter. */
function serverAge(headers: Headers): number | undefined {
  const now = Date.parse(headers.get('date') ?? '');
  const modified = Date.parse(headers.get('last-modified') ?? '');
  return Number.isFinite(now) && Number.isFinite(modified) ? now - modified : undefined;
}
