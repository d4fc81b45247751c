import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  PutObjectCommand, S3Client, UploadPartCommand, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { open, readFile, rm } from 'node:fs/promises';
import { BoxwrightError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { sha256Hex } from '../util/hash.js';
import { METADATA_FILE } from './catalog-metadata.js';
import type { PublishEventHandler } from './events.js';
import { redact } from './http.js';
import { PROBE_NAME } from './store-http.js';
import type { CatalogSnapshot, CatalogStore } from './store.js';

/** Options of an {@link S3Store}. */
export interface S3StoreOptions {
  /** `s3://bucket/prefix/`. */
  url: string;
  /** Where AWS settings come from (region, endpoint, credentials). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Write metadata.json without a condition where the server cannot do conditional writes. @default false */
  singleWriter?: boolean;
  onEvent?: PublishEventHandler;
  /** Part size of multipart uploads (boxes larger than this go in parts). @default 16 MiB */
  partSize?: number;
  /** Attempts per request, counting the first (the SDK's retry with backoff). @default 5 */
  maxAttempts?: number;
}

/** Progress of a multipart upload, kept beside the box so a re-run resumes it. */
interface UploadState {
  endpoint: string;
  bucket: string;
  key: string;
  size: number;
  sha256: string;
  partSize: number;
  uploadId: string;
  parts: Record<string, string>;
}

const MiB = 1024 * 1024;

/** The parts of `s3://bucket/prefix/`. @throws {BoxwrightError} `E_SPEC_INVALID` */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/.exec(url);
  if (!match || url.includes('?') || url.includes('#') || url.includes('@')) {
    throw new BoxwrightError('E_SPEC_INVALID', `--catalog-url "${url.slice(0, 80)}" is not an S3 catalog: give s3://bucket/prefix/ (a bucket name, then an optional prefix).`, { path: 'catalogUrl' });
  }
  const path = (match[2] ?? '/').replace(/^\/+/, '');
  if (path.split('/').some((p, i, all) => (p === '' && i < all.length - 1) || p === '.' || p === '..')) {
    throw new BoxwrightError('E_SPEC_INVALID', `--catalog-url "${url.slice(0, 80)}" has an empty or relative path segment: give s3://bucket/prefix/.`, { path: 'catalogUrl' });
  }
  return { bucket: match[1] as string, prefix: path === '' || path.endsWith('/') ? path : `${path}/` };
}

function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function errorName(error: unknown): string {
  return String((error as { name?: unknown; Code?: unknown })?.name ?? (error as { Code?: unknown })?.Code ?? 'Error');
}

const HINTS: Record<string, string> = {
  AccessDenied: 'the AWS credentials may not do this: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and the bucket policy',
  InvalidAccessKeyId: 'check AWS_ACCESS_KEY_ID',
  SignatureDoesNotMatch: 'check AWS_SECRET_ACCESS_KEY',
  NoSuchBucket: 'check the bucket name in --catalog-url',
  CredentialsProviderError: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)',
  PermanentRedirect: 'the bucket is in another region: set AWS_REGION',
};

/**
 * A catalog in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, …) through the AWS SDK v3.
 * metadata.json is written with `IfMatch` / `IfNoneMatch: *` (S3 conditional writes), found out
 * first by a probe write with a wrong `IfMatch`, which must be refused; a server that ignores it
 * is refused unless `singleWriter`. Boxes over the part size go up in parts whose progress is kept
 * beside the box (`<box>.<id>.upload.json`), so a re-run after a kill uploads only the missing parts.
 */
export class S3Store implements CatalogStore {
  readonly location: string;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #client: S3Client;
  readonly #endpoint: string;
  readonly #secrets: string[];
  readonly #options: S3StoreOptions;
  #conditional?: boolean;

  constructor(options: S3StoreOptions) {
    const env = options.env ?? process.env;
    const { bucket, prefix } = parseS3Url(options.url);
    this.#bucket = bucket;
    this.#prefix = prefix;
    this.location = `s3://${bucket}/${prefix}`;
    this.#options = options;
    const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
    this.#endpoint = endpoint ?? 'aws';
    this.#secrets = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter((s): s is string => !!s);
    const config: S3ClientConfig = {
      maxAttempts: options.maxAttempts ?? 5,
      // S3-compatible servers often reject the SDK's newer default checksum trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined);
    if (region) config.region = region;
    if (endpoint) {
      config.endpoint = endpoint;
      config.forcePathStyle = true; // custom endpoints (MinIO, Ceph, emulators) rarely resolve bucket.host names
    }
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      config.credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
    }
    this.#client = new S3Client(config);
  }

  #key(relative: string): string {
    return `${this.#prefix}${relative}`;
  }

  /** A BoxwrightError for a failed SDK call, with a hint and no secret. */
  #fail(what: string, key: string, error: unknown): BoxwrightError {
    const name = errorName(error);
    const code = status(error);
    const text = redact(`${name}${code ? ` (HTTP ${code})` : ''}: ${String((error as Error)?.message ?? error)}`, this.#secrets);
    const hint = HINTS[name] ?? (code !== undefined && code >= 500 ? 'the server failed; run again later, publishing resumes where it stopped' : 'see the message');
    const cause = new Error(text);
    return new BoxwrightError('E_PUBLISH', `S3 ${what} s3://${this.#bucket}/${key} failed: ${text} (${hint}).`, { cause });
  }

  async #send<T>(what: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.#fail(what, key, error);
    }
  }

  async prepare(): Promise<void> {
    if (this.#conditional !== undefined) return;
    const key = this.#key(PROBE_NAME);
    try {
      await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: 'Boxwright probe: does this server honour IfMatch? Safe to delete.\n', IfMatch: '"boxwright-probe-never-matches"' }));
    } catch (error) {
      const code = status(error);
      if (code === 412 || code === 404) {
        this.#conditional = true;
        return;
      }
      throw this.#fail('probe write to', key, error);
    }
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key })).catch(() => undefined);
    if (!this.#options.singleWriter) {
      throw new BoxwrightError(
        'E_PUBLISH',
        `${this.location} cannot do conditional writes: it accepted a write with a wrong IfMatch (old MinIO, s3rver and some S3-compatible servers ignore it). ` +
          'Two publishes at once could lose one of them, so this one is refused and nothing was uploaded. Fix: use a server with S3 conditional writes (AWS S3, current MinIO, R2), ' +
          'or pass --single-writer when no other publish can run against this catalog meanwhile.',
        { path: 'catalogUrl' },
      );
    }
    this.#conditional = false;
    this.#options.onEvent?.({ type: 'log', level: 'warn', message: `${this.location} cannot write conditionally; writing metadata.json unguarded (--single-writer)` });
  }

  async read(): Promise<CatalogSnapshot> {
    const key = this.#key(METADATA_FILE);
    try {
      const res = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      const text = (await res.Body?.transformToString('utf-8')) ?? '';
      return { text, ...(res.ETag ? { etag: res.ETag } : {}) };
    } catch (error) {
      if (status(error) === 404 || errorName(error) === 'NoSuchKey') return {};
      throw this.#fail('read of', key, error);
    }
  }

  async hasBox(relative: string, size: number, sha256: string): Promise<boolean> {
    const key = this.#key(relative);
    try {
      const res = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return res.ContentLength === size && (res.Metadata?.sha256 ?? sha256) === sha256;
    } catch (error) {
      if (status(error) === 404 || status(error) === 403) return false;
      throw this.#fail('HEAD of', key, error);
    }
  }

  async putBox(relative: string, file: string, size: number, sha256: string): Promise<void> {
    const key = this.#key(relative);
    const partSize = Math.max(this.#options.partSize ?? 16 * MiB, Math.ceil(size / 10_000), 5 * MiB);
    const common = { Bucket: this.#bucket, Key: key, ContentType: 'application/octet-stream', Metadata: { sha256 } };
    if (size <= partSize) {
      const body = await readFile(file);
      await this.#send('upload to', key, () => this.#client.send(new PutObjectCommand({ ...common, Body: body, ContentLength: size })));
      return;
    }
    const stateFile = `${file}.${sha256Hex(`${this.#endpoint}|${this.#bucket}|${key}`).slice(0, 12)}.upload.json`;
    let state = await readState(stateFile);
    if (!state || state.key !== key || state.bucket !== this.#bucket || state.endpoint !== this.#endpoint || state.size !== size || state.sha256 !== sha256 || state.partSize !== partSize) {
      const created = await this.#send('multipart start for', key, () => this.#client.send(new CreateMultipartUploadCommand(common)));
      state = { endpoint: this.#endpoint, bucket: this.#bucket, key, size, sha256, partSize, uploadId: created.UploadId as string, parts: {} };
      await saveState(stateFile, state);
    } else {
      this.#options.onEvent?.({ type: 'log', level: 'info', message: `resuming the upload of ${relative}: ${Object.keys(state.parts).length} of ${Math.ceil(size / partSize)} parts already sent` });
    }
    const count = Math.ceil(size / partSize);
    const handle = await open(file, 'r');
    try {
      for (let n = 1; n <= count; n++) {
        if (state.parts[n]) continue;
        const length = Math.min(partSize, size - (n - 1) * partSize);
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, (n - 1) * partSize);
        const current = state;
        let etag: string | undefined;
        try {
          etag = (await this.#client.send(new UploadPartCommand({ Bucket: this.#bucket, Key: key, UploadId: current.uploadId, PartNumber: n, Body: buffer, ContentLength: length }))).ETag;
        } catch (error) {
          if (errorName(error) === 'NoSuchUpload') {
            // The upload was aborted or expired on the server: start it again.
            await rm(stateFile, { force: true });
            await handle.close();
            return this.putBox(relative, file, size, sha256);
          }
          throw this.#fail(`part ${n}/${count} of`, key, error);
        }
        if (!etag) throw new BoxwrightError('E_PUBLISH', `S3 gave no ETag for part ${n} of s3://${this.#bucket}/${key}: run again.`);
        state.parts[n] = etag;
        await saveState(stateFile, state);
        this.#options.onEvent?.({ type: 'log', level: 'info', message: `${relative}: part ${n}/${count} sent` });
      }
    } finally {
      await handle.close().catch(() => undefined);
    }
    const parts = Object.entries(state.parts).map(([n, ETag]) => ({ PartNumber: Number(n), ETag })).sort((a, b) => a.PartNumber - b.PartNumber);
    const uploadId = state.uploadId;
    try {
      await this.#client.send(new CompleteMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (error) {
      await rm(stateFile, { force: true });
      throw this.#fail('multipart completion of', key, error);
    }
    await rm(stateFile, { force: true });
  }

  async commit(expected: CatalogSnapshot, text: string): Promise<boolean> {
    if (this.#conditional === undefined) await this.prepare();
    const key = this.#key(METADATA_FILE);
    const put = { Bucket: this.#bucket, Key: key, Body: text, ContentType: 'application/json', CacheControl: 'no-cache' };
    if (!this.#conditional) {
      if ((await this.read()).text !== expected.text) return false;
      await this.#send('write of', key, () => this.#client.send(new PutObjectCommand(put)));
      return true;
    }
    if (expected.text !== undefined && !expected.etag) throw new BoxwrightError('E_PUBLISH', `${this.location} gave no ETag with ${METADATA_FILE}: conditional writes are impossible.`);
    try {
      await this.#client.send(new PutObjectCommand({ ...put, ...(expected.text === undefined ? { IfNoneMatch: '*' } : { IfMatch: expected.etag }) }));
      return true;
    } catch (error) {
      const code = status(error);
      if (code === 412 || code === 409 || (expected.text !== undefined && code === 404)) return false;
      throw this.#fail('write of', key, error);
    }
  }

  locate(relative: string): string {
    return `s3://${this.#bucket}/${this.#key(relative)}`;
  }
}

async function readState(file: string): Promise<UploadState | undefined> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as UploadState;
    return typeof state.uploadId === 'string' && typeof state.parts === 'object' && state.parts !== null ? state : undefined;
  } catch {
    return undefined;
  }
}

async function saveState(file: string, state: UploadState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state)}\n`);
}
