import { BoxwrightError } from '../errors.js';
import type { PublishEventHandler } from './events.js';

/** Retry settings of registry requests. */
export interface RetryOptions {
  /** Attempts per request, counting the first. @default 5 */
  maxAttempts?: number;
  /** First backoff delay in ms; doubles each retry, with jitter. @default 500 */
  retryDelayMs?: number;
  /** Longest backoff delay in ms. @default 30000 */
  maxRetryDelayMs?: number;
}

/** Settings of an {@link HttpClient}. */
export interface HttpClientOptions extends RetryOptions {
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Strings that must never appear in an error, cause or event (tokens, secrets). */
  secrets?: string[];
  /** Name of the service, for messages. @default "the registry" */
  service?: string;
  /** Hints by HTTP status, appended to error messages. @default the Vagrant Cloud hints */
  hints?: Record<number, string>;
  /** What to say when a header value (usually a credential) cannot be sent: names its source. */
  invalidHeaderHint?: string;
  onEvent?: PublishEventHandler;
  signal?: AbortSignal;
}

/** One request. */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** A body factory (called once per attempt, so streams are fresh on retries). */
  body?: () => { body: BodyInit; length?: number };
  /** Return 404 as a response instead of throwing. */
  allow404?: boolean;
  /** Statuses returned as responses instead of thrown (e.g. 404, 412). */
  expect?: readonly number[];
}

/** A parsed response. */
export interface HttpResponse<T = unknown> {
  status: number;
  data: T;
  /** The raw body text. */
  text: string;
  headers: Headers;
}

/** An HTTP error answer of a registry (`E_REGISTRY_HTTP`), with the HTTP status. */
export class RegistryHttpError extends BoxwrightError {
  /** HTTP status code of the answer. */
  readonly status: number;
  /** The API's own error text (from its `errors` array), redacted. */
  readonly apiErrors: string;

  constructor(status: number, apiErrors: string, message: string) {
    super('E_REGISTRY_HTTP', message);
    this.status = status;
    this.apiErrors = apiErrors;
  }
}

/** Replaces every occurrence of each secret (and of its URL-encoded form) with `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[REDACTED]');
  }
  return out;
}

/** A URL without its query and fragment (signed upload URLs carry credentials there). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Hints of the Vagrant Cloud API's answers. */
export const REGISTRY_HINTS: Record<number, string> = {
  401: 'check VAGRANT_CLOUD_TOKEN (or HCP_CLIENT_ID and HCP_CLIENT_SECRET): the token is missing, wrong or expired',
  402: 'the organization is delinquent on billing: its owner must update it',
  403: 'the token may not do this: give one of a user who can write to the organization',
  404: 'check the box name ORG/NAME and that the token can see it',
  422: 'the registry rejected the request data: read its message above',
  429: 'rate-limited: wait and run again',
};

/** 5xx, and the two 4xx that can succeed later (408 timeout, 429 rate limit). */
function retryable(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** Most redirects a GET or HEAD follows (same origin only). */
const MAX_REDIRECTS = 5;

/** Characters a header value may hold (RFC 9110 field-value: visible ASCII, space, tab, obs-text). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Whether a fetch failure is the network's (worth retrying) and not a request that can never be sent. */
function isNetworkError(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  if (e?.name === 'AbortError') return false;
  if (e?.message === 'fetch failed') return true; // undici: the cause holds ECONNRESET, ECONNREFUSED, ...
  return typeof (error as { code?: unknown })?.code === 'string' && /^(E[A-Z]+|UND_ERR_.*)$/.test((error as { code: string }).code);
}

function apiErrorText(text: string): string {
  try {
    const data = JSON.parse(text) as { errors?: unknown; error?: unknown; message?: unknown };
    const errors = data.errors ?? data.error ?? data.message;
    if (Array.isArray(errors)) return errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ');
    if (typeof errors === 'string') return errors;
  } catch {
    // not JSON: fall through
  }
  if (/<html[\s>]/i.test(text)) return /<title>([^<]{0,200})<\/title>/i.exec(text)?.[1]?.trim() ?? '';
  return text.trim().slice(0, 300);
}

/** A plain error holding only a redacted description of `error` (never the original object). */
function sanitizedCause(error: unknown, secrets: readonly string[]): Error {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const e = current as { message?: unknown; code?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? `${e.code}: ` : '';
    parts.push(`${code}${String(e.message ?? current)}`);
    current = e.cause;
  }
  const cause = new Error(redact(parts.join(' <- '), secrets));
  const code = (error as { code?: unknown; cause?: { code?: unknown } })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof code === 'string') (cause as Error & { code?: string }).code = code;
  return cause;
}

/**
 * A small JSON-over-fetch client: retries network errors, 5xx, 408 and 429 with exponential
 * backoff and jitter (honouring `Retry-After`); turns other 4xx into {@link RegistryHttpError}
 * carrying the API's own error text; keeps secrets out of every message, cause and event.
 */
export class HttpClient {
  readonly #fetch: typeof fetch;
  readonly #opts: Required<RetryOptions>;
  readonly #secrets: string[];
  readonly #service: string;
  readonly #hints: Record<number, string>;
  readonly #invalidHeaderHint: string;
  readonly #onEvent?: PublishEventHandler;
  readonly #signal?: AbortSignal;

  constructor(options: HttpClientOptions = {}) {
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#opts = {
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      retryDelayMs: options.retryDelayMs ?? 500,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
    };
    this.#secrets = (options.secrets ?? []).filter(Boolean);
    this.#service = options.service ?? 'the registry';
    this.#hints = options.hints ?? REGISTRY_HINTS;
    this.#invalidHeaderHint = options.invalidHeaderHint ?? 'check the credentials in the environment';
    this.#onEvent = options.onEvent;
    this.#signal = options.signal;
  }

  /** Adds a secret to redact (e.g. a token obtained later). */
  addSecret(secret: string): void {
    if (secret) this.#secrets.push(secret);
  }

  /** Redacts this client's secrets from `text`. */
  redact(text: string): string {
    return redact(text, this.#secrets);
  }

  /**
   * Sends `request`, retrying as described on the class. Redirects are never followed to another
   * origin, nor for anything but GET and HEAD (an upload answered with a redirect is refused).
   */
  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const label = `${request.method} ${safeUrl(request.url)}`;
    this.#checkHeaders(request, label);
    const expected = new Set([...(request.expect ?? []), ...(request.allow404 ? [404] : [])]);
    let url = request.url;
    let hops = 0;
    for (let attempt = 1; ; attempt++) {
      this.#checkAborted();
      let response: Response;
      try {
        response = await this.#send({ ...request, url });
      } catch (error) {
        this.#checkAborted();
        const cause = sanitizedCause(error, this.#secrets);
        if (!isNetworkError(error)) {
          throw new BoxwrightError('E_PUBLISH', this.redact(`${label} could not be sent (${cause.message}); this is not a network error, so it is not retried: ${this.#invalidHeaderHint}.`), { cause });
        }
        if (attempt >= this.#opts.maxAttempts) {
          throw new BoxwrightError('E_PUBLISH', this.redact(`${label} failed after ${attempt} attempts (network error: ${cause.message}): check the network and run again; publishing resumes where it stopped.`), { cause });
        }
        await this.#backoff(attempt, label, `network error ${cause.message}`);
        continue;
      }
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        await response.body?.cancel().catch(() => undefined);
        const target = new URL(response.headers.get('location') as string, url);
        const sameOrigin = target.origin === new URL(url).origin;
        if ((request.method === 'GET' || request.method === 'HEAD') && sameOrigin && hops < MAX_REDIRECTS) {
          hops += 1;
          url = target.href;
          attempt -= 1;
          continue;
        }
        const why = !sameOrigin ? 'to another origin, where credentials are never sent' : request.method === 'GET' || request.method === 'HEAD' ? `more than ${MAX_REDIRECTS} times` : 'for an upload, which is never followed (the body would be sent twice)';
        throw new RegistryHttpError(response.status, '', this.redact(`${this.#service} redirected ${label} (HTTP ${response.status}) to ${safeUrl(target.href)}, ${why}: refused. Give the final URL instead.`));
      }
      const text = await response.text().catch(() => '');
      if (response.ok || expected.has(response.status)) {
        return { status: response.status, data: parseJson(text) as T, text, headers: response.headers };
      }
      const apiErrors = this.redact(apiErrorText(text));
      if (retryable(response.status) && attempt < this.#opts.maxAttempts) {
        await this.#backoff(attempt, label, `HTTP ${response.status}${apiErrors ? ` (${apiErrors})` : ''}`, response.headers.get('retry-after'));
        continue;
      }
      const hint = this.#hints[response.status] ?? (response.status >= 500 ? `${this.#service} failed; run again later, publishing resumes where it stopped` : `see the message from ${this.#service}`);
      const tries = retryable(response.status) ? ` after ${attempt} attempts` : '';
      throw new RegistryHttpError(
        response.status,
        apiErrors,
        this.redact(`${this.#service} answered ${label} with HTTP ${response.status}${tries}${apiErrors ? `: ${apiErrors}` : ''} (${hint}).`),
      );
    }
  }

  /** Refuses a header value that cannot be sent (a newline in a token, ...) before any attempt. */
  #checkHeaders(request: HttpRequest, label: string): void {
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (!HEADER_VALUE.test(value) || value !== value.trim()) {
        throw new BoxwrightError('E_USAGE', `${label}: the ${name} header holds a character HTTP does not allow (a newline, a control character or surrounding space): ${this.#invalidHeaderHint}. Nothing was sent.`, { path: 'token' });
      }
    }
  }

  async #send(request: HttpRequest): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
    const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers, signal: this.#signal, redirect: 'manual' };
    if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(request.json);
    } else if (request.body) {
      const { body, length } = request.body();
      init.body = body;
      init.duplex = 'half';
      if (length !== undefined) headers['Content-Length'] = String(length);
    }
    return this.#fetch(request.url, init);
  }

  #checkAborted(): void {
    if (this.#signal?.aborted) throw new BoxwrightError('E_CANCELLED', 'Publishing was cancelled; run again to resume.');
  }

  async #backoff(attempt: number, label: string, reason: string, retryAfter?: string | null): Promise<void> {
    const exp = Math.min(this.#opts.maxRetryDelayMs, this.#opts.retryDelayMs * 2 ** (attempt - 1));
    let delay = exp / 2 + Math.random() * (exp / 2);
    const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
    if (Number.isFinite(seconds) && seconds >= 0) delay = Math.min(this.#opts.maxRetryDelayMs, Math.max(delay, seconds * 1000));
    this.#onEvent?.({
      type: 'log',
      level: 'warn',
      message: this.redact(`${label} failed (${reason}); retry ${attempt + 1}/${this.#opts.maxAttempts} in ${(delay / 1000).toFixed(1)} s`),
    });
    await sleep(delay, this.#signal);
  }
}

function parseJson(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
