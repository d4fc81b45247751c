import semver from 'semver';
import { BoxwrightError } from '../errors.js';

/** One provider entry of a catalog version, as `vagrant box add` reads it. */
export interface CatalogProvider {
  name: string;
  url: string;
  checksum_type: 'sha256';
  checksum: string;
  /** Read by Vagrant ≥ 2.4; older ones ignore it and take the first entry of a provider name. */
  architecture: string;
  default_architecture: boolean;
  [extra: string]: unknown;
}

/** One version of a catalog. */
export interface CatalogVersion {
  version: string;
  providers: CatalogProvider[];
  [extra: string]: unknown;
}

/** The `metadata.json` of a static catalog (the format `vagrant box add URL` accepts). */
export interface CatalogMetadata {
  name: string;
  description?: string;
  versions: CatalogVersion[];
  [extra: string]: unknown;
}

/** Name of the catalog file. */
export const METADATA_FILE = 'metadata.json';

/** Architecture of a box when neither the caller nor the box says. */
export const DEFAULT_ARCHITECTURE = 'amd64';

const ARCHITECTURE = /^[a-z0-9_]{1,32}$/;

/** Checks an architecture name (`amd64`, `arm64`, `i386`, ...). @throws {BoxwrightError} `E_SPEC_INVALID` */
export function checkArchitecture(architecture: string): string {
  if (!ARCHITECTURE.test(architecture)) {
    throw new BoxwrightError('E_SPEC_INVALID', `"${architecture.slice(0, 40)}" is not an architecture name: use amd64, arm64, i386, ... (lower-case letters, digits, _).`, { path: 'architecture' });
  }
  return architecture;
}

/**
 * Path of a box inside a catalog, relative to it: `<version>/<provider>-<architecture>-<sha256 prefix>.box`.
 * The name carries the checksum, so a box is never overwritten by another one: a half-finished
 * or refused publish can never leave metadata.json pointing at a file with other contents.
 */
export function catalogBoxPath(version: string, provider: string, architecture: string, sha256: string): string {
  return `${version}/${provider}-${architecture}-${sha256.slice(0, 16)}.box`;
}

/**
 * A base URL Vagrant can download from and that is safe to publish: http(s) only, no user name
 * or password (they would be published in metadata.json), no query or fragment (a relative box
 * path would drop or misplace them). Returned with a trailing `/`.
 *
 * @throws {BoxwrightError} `E_SPEC_INVALID` with `path` (default `baseUrl`); the message never quotes credentials.
 */
export function normalizeBaseUrl(raw: string, path = 'baseUrl', flag = '--base-url'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new BoxwrightError('E_SPEC_INVALID', `${flag} "${raw.slice(0, 80)}" is not a URL: give one like https://boxes.example.com/name/.`, { path, cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BoxwrightError('E_SPEC_INVALID', `${flag} must be an http:// or https:// URL (got ${url.protocol}): Vagrant downloads boxes over HTTP(S).`, { path });
  }
  if (url.username || url.password) {
    throw new BoxwrightError('E_SPEC_INVALID', `${flag} must not carry a user name or password (${url.protocol}//…@${url.host}${url.pathname}): they would be published in metadata.json. Give the public URL; upload credentials come only from the environment.`, { path });
  }
  if (raw.includes('?') || raw.includes('#')) {
    throw new BoxwrightError('E_SPEC_INVALID', `${flag} must not have a query (?…) or fragment (#…): box URLs are made by appending paths to it. Give the folder URL only (${url.origin}${url.pathname}).`, { path });
  }
  return url.pathname.endsWith('/') ? url.href : `${url.href}/`;
}

/** `baseUrl` (normalized, see {@link normalizeBaseUrl}) joined with a relative path. */
export function catalogUrl(baseUrl: string, relative: string): string {
  return new URL(relative.split('/').map(encodeURIComponent).join('/'), baseUrl).href;
}

/** The catalog-relative path of `url` when it lies below `baseUrl`, else `undefined`. */
export function relativeTo(baseUrl: string, url: string): string | undefined {
  if (!url.startsWith(baseUrl)) return undefined;
  const rest = url.slice(baseUrl.length);
  if (!rest || rest.includes('?') || rest.includes('#')) return undefined;
  try {
    const parts = rest.split('/').map(decodeURIComponent);
    return parts.some((p) => p === '' || p === '.' || p === '..') ? undefined : parts.join('/');
  } catch {
    return undefined;
  }
}

function bad(where: string, field: string, what: string): BoxwrightError {
  return new BoxwrightError('E_PUBLISH', `${where} is not a valid catalog: ${field} ${what}. Repair it (or restore a backup) before publishing; nothing was written.`, { path: field });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and checks every entry of a catalog's text (`undefined` text: no catalog yet).
 * Entries without `architecture` (older catalogs) read as amd64, the default one.
 *
 * @throws {BoxwrightError} `E_PUBLISH` naming the first bad field (e.g. `versions[0]`), before anything is written.
 */
export function parseCatalog(text: string | undefined, where: string): CatalogMetadata | undefined {
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BoxwrightError('E_PUBLISH', `${where} is not valid JSON: restore it from a backup or publish into an empty catalog.`, { cause: error });
  }
  if (!isObject(data)) throw bad(where, 'the document', 'is not a JSON object');
  if (typeof data.name !== 'string' || data.name === '') throw bad(where, 'name', 'is missing or not a string');
  if (data.description !== undefined && typeof data.description !== 'string') throw bad(where, 'description', 'is not a string');
  if (!Array.isArray(data.versions)) throw bad(where, 'versions', 'is not an array');
  const versions = data.versions.map((v: unknown, i: number): CatalogVersion => {
    const at = `versions[${i}]`;
    if (!isObject(v)) throw bad(where, at, `is ${v === null ? 'null' : typeof v}, not a version object`);
    if (typeof v.version !== 'string' || v.version === '') throw bad(where, `${at}.version`, 'is missing or not a string');
    if (!Array.isArray(v.providers)) throw bad(where, `${at}.providers`, 'is not an array');
    const providers = v.providers.map((p: unknown, j: number): CatalogProvider => {
      const pat = `${at}.providers[${j}]`;
      if (!isObject(p)) throw bad(where, pat, `is ${p === null ? 'null' : typeof p}, not a provider object`);
      for (const key of ['name', 'url', 'checksum'] as const) {
        if (typeof p[key] !== 'string' || p[key] === '') throw bad(where, `${pat}.${key}`, 'is missing or not a string');
      }
      if (p.checksum_type !== undefined && typeof p.checksum_type !== 'string') throw bad(where, `${pat}.checksum_type`, 'is not a string');
      if (p.architecture !== undefined && (typeof p.architecture !== 'string' || !ARCHITECTURE.test(p.architecture))) throw bad(where, `${pat}.architecture`, 'is not an architecture name');
      if (p.default_architecture !== undefined && typeof p.default_architecture !== 'boolean') throw bad(where, `${pat}.default_architecture`, 'is not true or false');
      return {
        ...p,
        architecture: (p.architecture as string | undefined) ?? DEFAULT_ARCHITECTURE,
        default_architecture: (p.default_architecture as boolean | undefined) ?? (p.architecture === undefined),
      } as CatalogProvider;
    });
    return { ...v, providers } as CatalogVersion;
  });
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    if (seen.has(v.version)) throw bad(where, `versions[${i}].version`, `repeats version ${v.version}`);
    seen.add(v.version);
  }
  return { ...data, versions } as CatalogMetadata;
}

function compareVersions(a: CatalogVersion, b: CatalogVersion): number {
  const va = semver.valid(a.version);
  const vb = semver.valid(b.version);
  if (va && vb) return semver.compare(va, vb);
  if (va) return 1;
  if (vb) return -1;
  return a.version.localeCompare(b.version);
}

/**
 * Marks one default architecture per provider name (amd64 when present, else the one already
 * marked, else the first) and sorts the entries: by provider name, the default first (Vagrant
 * before 2.4 ignores architectures and takes the first entry of a name), then by architecture.
 */
export function arrangeProviders(providers: readonly CatalogProvider[]): CatalogProvider[] {
  const byName = new Map<string, CatalogProvider[]>();
  for (const p of providers) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const out: CatalogProvider[] = [];
  for (const name of [...byName.keys()].sort()) {
    const group = [...(byName.get(name) ?? [])].sort((a, b) => a.architecture.localeCompare(b.architecture));
    const marked = group.filter((p) => p.default_architecture);
    const chosen = group.find((p) => p.architecture === DEFAULT_ARCHITECTURE) ?? (marked.length === 1 ? marked[0] : group[0]);
    const arranged = group.map((p) => ({ ...p, default_architecture: p === chosen }));
    out.push(...arranged.filter((p) => p.default_architecture), ...arranged.filter((p) => !p.default_architecture));
  }
  return out;
}

/** `current` (or a new catalog) with `record` put into `version`, replacing the entry of its provider + architecture. */
export function mergeCatalog(current: CatalogMetadata | undefined, name: string, description: string | undefined, version: string, record: CatalogProvider): CatalogMetadata {
  const versions = (current?.versions ?? []).map((v) => ({ ...v, providers: [...v.providers] }));
  let entry = versions.find((v) => v.version === version);
  if (!entry) {
    entry = { version, providers: [] };
    versions.push(entry);
  }
  entry.providers = arrangeProviders([...entry.providers.filter((p) => p.name !== record.name || p.architecture !== record.architecture), record]);
  versions.sort(compareVersions);
  const { name: _n, description: _d, versions: _v, ...extra } = current ?? { name, versions: [] };
  return { name, ...(description === undefined ? {} : { description }), ...extra, versions };
}

/** The text written as metadata.json. */
export function catalogText(metadata: CatalogMetadata): string {
  return `${JSON.stringify(metadata, null, 2)}\n`;
}
