import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { BoxwrightError } from '../errors.js';
import { checkBoxLayout } from './box-file.js';
import { verifyBox } from './checksum.js';
import type { PublishEventHandler, PublishStepAction, PublishStepName } from './events.js';
import { getHcpToken } from './hcp.js';
import { HttpClient, RegistryHttpError, safeUrl, type RetryOptions } from './http.js';
import { nextVersion, type BumpLevel } from './version.js';

/** Default server root of the Vagrant Cloud API; the client adds `/api/v2/...`. */
export const VAGRANT_CLOUD_URL = 'https://vagrantcloud.com';

/** Where a box goes on Vagrant Cloud (or an HCP-migrated organization behind it). */
export interface VagrantCloudTarget {
  /** `ORG/NAME`. */
  box: string;
  /** Server root. @default "https://vagrantcloud.com" */
  apiUrl?: string;
  /**
   * Bearer token. @default process.env.VAGRANT_CLOUD_TOKEN, else a token from HCP_CLIENT_ID +
   * HCP_CLIENT_SECRET (see {@link getHcpToken}). A composite `VC_TOKEN;HCP_TOKEN` is passed as is.
   */
  token?: string;
  /** Visibility when the box is created (an existing box is not changed). @default the API's default: private */
  private?: boolean;
  /** Short description when the box is created. */
  description?: string;
  /** Box architecture. @default "amd64" */
  architecture?: string;
  /** Upload straight to the storage backend (`/upload/direct` + callback). @default true */
  directUpload?: boolean;
}

/** Options of {@link publishToVagrantCloud}. */
export interface VagrantCloudPublishOptions extends VagrantCloudTarget, RetryOptions {
  /** Path of the `.box` file. */
  file: string;
  /** Expected sha256 of the box; defaults to its `.sha256` sidecar. */
  checksum?: string;
  /** Provider name, e.g. `libvirt`. */
  provider: string;
  version?: string;
  bump?: BumpLevel;
  /** Allow a version not above the latest. @default false */
  force?: boolean;
  onEvent?: PublishEventHandler;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** What {@link publishToVagrantCloud} did. */
export interface VagrantCloudPublishResult {
  version: string;
  provider: string;
  checksum: string;
  /** Download URL the registry reported, when it did. */
  url?: string;
  /** True when this version was already released with this box (nothing changed). */
  noop: boolean;
}

interface ApiProvider {
  name?: string;
  checksum?: string | null;
  checksum_type?: string | null;
  hosted?: boolean;
  hosted_token?: string | null;
  download_url?: string;
}
interface ApiVersion {
  version?: string;
  number?: string;
  status?: string;
  providers?: ApiProvider[];
}
interface ApiBox {
  tag?: string;
  versions?: ApiVersion[];
}

/**
 * Whether a provider's box file is on the registry. The API has no explicit flag: a provider
 * counts as uploaded when it is `hosted` and has a `hosted_token` (what the API reports after an
 * upload). When unsure we upload again, which is safe; releasing without a file is not.
 */
export function isUploaded(provider: ApiProvider): boolean {
  return provider.hosted === true && typeof provider.hosted_token === 'string' && provider.hosted_token !== '';
}

async function resolveToken(target: VagrantCloudTarget, options: VagrantCloudPublishOptions): Promise<string> {
  const token = target.token ?? process.env.VAGRANT_CLOUD_TOKEN;
  if (token) return token;
  const id = process.env.HCP_CLIENT_ID;
  const secret = process.env.HCP_CLIENT_SECRET;
  if (id && secret) {
    options.onEvent?.({ type: 'log', level: 'info', message: 'No VAGRANT_CLOUD_TOKEN; getting an HCP access token from HCP_CLIENT_ID/HCP_CLIENT_SECRET' });
    return getHcpToken(id, secret, { fetch: options.fetch, signal: options.signal, maxAttempts: options.maxAttempts, retryDelayMs: options.retryDelayMs });
  }
  throw new BoxwrightError('E_USAGE', 'No Vagrant Cloud token: set VAGRANT_CLOUD_TOKEN (or HCP_CLIENT_ID and HCP_CLIENT_SECRET for an HCP organization).', { path: 'token' });
}

/** What an API answer must be. */
type Shape = { kind: 'box'; tag: string } | { kind: 'version'; version: string } | { kind: 'provider'; provider: string };

function isShape(shape: Shape, data: unknown): boolean {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const d = data as Record<string, unknown>;
  if (shape.kind === 'box') {
    const tag = typeof d.tag === 'string' ? d.tag : typeof d.username === 'string' && typeof d.name === 'string' ? `${d.username}/${d.name}` : undefined;
    return tag?.toLowerCase() === shape.tag.toLowerCase() && (d.versions === undefined || Array.isArray(d.versions));
  }
  if (shape.kind === 'version') return (d.version ?? d.number) === shape.version;
  return d.name === shape.provider;
}

function describe(data: unknown): string {
  const text = JSON.stringify(data) ?? String(data);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function splitBox(box: string): [string, string] {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(box);
  if (!match) throw new BoxwrightError('E_SPEC_INVALID', `"${box}" is not a box name: give --box ORG/NAME, e.g. acme/foobar-web.`, { path: 'box' });
  return [match[1] as string, match[2] as string];
}

/**
 * Publishes a box to the Vagrant Cloud API v2 (also serving HCP-migrated organizations):
 * box → version → provider → upload → release, each step checked first so that running again
 * after an interruption anywhere completes the same version without duplicates.
 *
 * - The sha256 is checked before any request.
 * - A released version is refused (`E_PUBLISH_CONFLICT`), unless it already holds this very box
 *   (then `noop: true`).
 * - An unreleased provider with another checksum is updated and its box uploaded again.
 * - Network errors, 5xx, 408 and 429 are retried with backoff; other 4xx throw
 *   `E_REGISTRY_HTTP` (a {@link RegistryHttpError} with `status`) quoting the API's `errors`.
 * - The token is sent only to `apiUrl` and never appears in errors or events.
 */
export async function publishToVagrantCloud(options: VagrantCloudPublishOptions): Promise<VagrantCloudPublishResult> {
  const [org, name] = splitBox(options.box);
  const { sha256, source } = await verifyBox(options.file, options.checksum);
  const emit = (step: PublishStepName, action: PublishStepAction, message: string): void => options.onEvent?.({ type: 'step', step, action, message });
  emit('verify', 'done', `sha256 ${sha256}${source === 'none' ? ' (computed; no checksum given and no .sha256 sidecar)' : ` matches the ${source}`}`);
  await checkBoxLayout(options.file, options.provider);

  const token = await resolveToken(options, options);
  const http = new HttpClient({
    ...options, secrets: [token, ...token.split(';')], service: 'Vagrant Cloud',
    invalidHeaderHint: 'set VAGRANT_CLOUD_TOKEN (or the token option) to the token alone, without a newline or spaces',
  });
  const root = new URL((options.apiUrl ?? VAGRANT_CLOUD_URL).replace(/\/+$/, '') + '/');
  const api = (path: string): string => new URL(`api/v2${path}`, root).href;
  const auth = { Authorization: `Bearer ${token}` };
  /** An answer must be the object asked for: a foreign `{}` (a proxy, a wrong --api-url) is not "found". */
  const checked = <T>(what: Shape, path: string, data: unknown): T => {
    if (!isShape(what, data)) {
      throw new BoxwrightError('E_PUBLISH', http.redact(`${root.origin} answered ${safeUrl(api(path))} with something that is not a Vagrant Cloud ${what.kind} (${describe(data)}): check --api-url (the server root, e.g. ${VAGRANT_CLOUD_URL}).`));
    }
    return data as T;
  };
  const get = async <T>(what: Shape, path: string): Promise<T | undefined> => {
    const res = await http.request<T>({ method: 'GET', url: api(path), headers: auth, allow404: true });
    return res.status === 404 ? undefined : checked<T>(what, path, res.data);
  };
  const send = async <T>(method: string, path: string, json?: unknown, what?: Shape): Promise<T> => {
    const { data } = await http.request<T>({ method, url: api(path), headers: auth, json });
    return what ? checked<T>(what, path, data) : data;
  };
  /** POST, and when the registry says it exists already (a lost answer of an earlier try), read it. */
  const create = async <T>(path: string, json: unknown, refetch: () => Promise<T | undefined>, what: Shape): Promise<T> => {
    try {
      return await send<T>('POST', path, json, what);
    } catch (error) {
      if (error instanceof RegistryHttpError && (error.status === 409 || error.status === 422)) {
        const found = await refetch();
        if (found) return found;
      }
      throw error;
    }
  };

  const boxPath = `/box/${encodeURIComponent(org)}/${encodeURIComponent(name)}`;
  // 1. box
  const boxShape: Shape = { kind: 'box', tag: `${org}/${name}` };
  const getBox = (): Promise<ApiBox | undefined> => get<ApiBox>(boxShape, boxPath);
  let box = await getBox();
  if (box) emit('box', 'found', `${org}/${name}`);
  else {
    const body = { box: { username: org, name, ...(options.description ? { short_description: options.description } : {}), ...(options.private === undefined ? {} : { is_private: options.private }) } };
    box = await create('/boxes', body, getBox, boxShape);
    emit('box', 'created', `${org}/${name}`);
  }

  // 2. version
  const existing = (box.versions ?? []).map((v) => v.version ?? v.number ?? '').filter(Boolean);
  const version = nextVersion(existing, { version: options.version, bump: options.bump }, options.force ?? false);
  const versionPath = `${boxPath}/version/${encodeURIComponent(version)}`;
  const versionShape: Shape = { kind: 'version', version };
  const getVersion = (): Promise<ApiVersion | undefined> => get<ApiVersion>(versionShape, versionPath);
  let ver = await getVersion();
  if (ver) emit('version', 'found', `${version} (${ver.status ?? 'unknown status'})`);
  else {
    ver = await create(`${boxPath}/versions`, { version: { version } }, getVersion, versionShape);
    emit('version', 'created', version);
  }

  // 3. provider
  const architecture = options.architecture ?? 'amd64';
  const providerPath = `${versionPath}/provider/${encodeURIComponent(options.provider)}/${encodeURIComponent(architecture)}`;
  const providerShape: Shape = { kind: 'provider', provider: options.provider };
  const getProvider = (): Promise<ApiProvider | undefined> => get<ApiProvider>(providerShape, providerPath);
  const providerBody = { provider: { name: options.provider, checksum: sha256, checksum_type: 'sha256', architecture, default_architecture: true } };
  let provider = await getProvider();
  const sameBox = (p: ApiProvider | undefined): boolean => !!p && p.checksum?.toLowerCase() === sha256 && (p.checksum_type ?? 'sha256').toLowerCase() === 'sha256';

  if (ver.status && ver.status !== 'unreleased') {
    if (ver.status === 'active' && provider && sameBox(provider) && isUploaded(provider)) {
      emit('release', 'noop', `${org}/${name} ${version} (${options.provider}) is already released with this box`);
      return { version, provider: options.provider, checksum: sha256, url: provider.download_url, noop: true };
    }
    throw new BoxwrightError(
      'E_PUBLISH_CONFLICT',
      `Version ${version} of ${org}/${name} is already ${ver.status === 'active' ? 'released' : ver.status}: bump the version (--bump patch) and publish again.`,
      { path: 'version' },
    );
  }

  let uploaded = false;
  if (!provider) {
    provider = await create(`${versionPath}/providers`, providerBody, getProvider, providerShape);
    emit('provider', 'created', `${options.provider}/${architecture}`);
  } else if (!sameBox(provider)) {
    provider = await send<ApiProvider>('PUT', providerPath, providerBody, providerShape);
    emit('provider', 'updated', `${options.provider}/${architecture}: checksum changed, the box is uploaded again`);
  } else {
    uploaded = isUploaded(provider);
    emit('provider', 'found', `${options.provider}/${architecture}${uploaded ? ' (box already uploaded)' : ''}`);
  }

  // 4. upload
  if (uploaded) emit('upload', 'skipped', 'the registry already holds this box');
  else {
    const size = (await stat(options.file)).size;
    const fileBody = (): { body: BodyInit; length: number } => ({ body: Readable.toWeb(createReadStream(options.file)) as unknown as BodyInit, length: size });
    if (options.directUpload ?? true) {
      const { upload_path: uploadPath, callback } = await send<{ upload_path?: string; callback?: string }>('GET', `${providerPath}/upload/direct`);
      if (!uploadPath || !callback) throw new BoxwrightError('E_PUBLISH', 'Vagrant Cloud gave no upload_path/callback for a direct upload: try directUpload: false.');
      await http.request({ method: 'PUT', url: uploadPath, body: fileBody });
      const cb = new URL(callback, root);
      await http.request({ method: 'PUT', url: new URL(`${cb.pathname}${cb.search}`, root).href, headers: auth });
    } else {
      const { upload_path: uploadPath } = await send<{ upload_path?: string }>('GET', `${providerPath}/upload`);
      if (!uploadPath) throw new BoxwrightError('E_PUBLISH', 'Vagrant Cloud gave no upload_path: run again later.');
      await http.request({ method: 'PUT', url: uploadPath, body: fileBody });
    }
    emit('upload', 'done', `${size} bytes`);
  }

  // 5. release
  try {
    await send('PUT', `${versionPath}/release`);
  } catch (error) {
    // A retried release whose first answer was lost is refused as "already released": check.
    if (!(error instanceof RegistryHttpError) || error.status >= 500 || (await getVersion())?.status !== 'active') throw error;
  }
  emit('release', 'done', `${org}/${name} ${version}`);
  return { version, provider: options.provider, checksum: sha256, url: provider.download_url, noop: false };
}
