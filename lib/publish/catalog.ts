import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { BoxwrightError } from '../errors.js';
import { copyFileAtomic, writeFileAtomic, type BeforeRename } from '../util/atomic.js';
import { withMutex } from '../util/mutex.js';
import { sha256File, verifyBox } from './checksum.js';
import type { PublishEventHandler } from './events.js';
import { nextVersion, type BumpLevel } from './version.js';

/** One provider entry of a catalog version, as `vagrant box add` reads it. */
export interface CatalogProvider {
  name: string;
  url: string;
  checksum_type: 'sha256';
  checksum: string;
  architecture: 'amd64';
  default_architecture: true;
}

/** One version of a catalog. */
export interface CatalogVersion {
  version: string;
  providers: CatalogProvider[];
}

/** The `metadata.json` of a static catalog (the format `vagrant box add URL` accepts). */
export interface CatalogMetadata {
  name: string;
  description?: string;
  versions: CatalogVersion[];
}

/** Options of {@link publishToCatalog}. */
export interface CatalogPublishOptions {
  /** Path of the `.box` file. */
  box: string;
  /** Expected sha256 of the box; defaults to its `<box>.sha256` sidecar. */
  checksum?: string;
  /** Catalog folder (created if missing). One folder holds one box name. */
  dir: string;
  /** URL the folder is served at, e.g. `https://boxes.example.com/foobar-web/`. */
  baseUrl: string;
  /** Box name written to `metadata.json`, e.g. `foobar/web`. */
  name: string;
  /** Box description; keeps the catalog's one when omitted. */
  description?: string;
  /** Provider name, e.g. `libvirt`. */
  provider: string;
  /** Explicit version (see {@link nextVersion}). */
  version?: string;
  /** Or a bump from the latest version in the catalog. */
  bump?: BumpLevel;
  /** Replace a provider published with another checksum; allow versions not above the latest. @default false */
  force?: boolean;
  onEvent?: PublishEventHandler;
  /** @internal Test hooks run before each rename (box, then metadata). */
  hooks?: { beforeBoxRename?: BeforeRename; beforeMetadataRename?: BeforeRename };
}

/** What {@link publishToCatalog} did. */
export interface CatalogPublishResult {
  version: string;
  provider: string;
  checksum: string;
  /** Download URL of the box file. */
  url: string;
  /** URL of `metadata.json`: what users give to `vagrant box add`. */
  catalogUrl: string;
  /** Path of the box inside the catalog folder. */
  boxPath: string;
  metadataPath: string;
  /** True when this version + provider was already published with this checksum. */
  noop: boolean;
}

/** Name of the catalog file. */
export const METADATA_FILE = 'metadata.json';
const LOCK_FILE = '.boxwright-publish.lock';

/** Path of a box inside a catalog, relative to the folder: `<version>/<provider>.box`. */
export function catalogBoxPath(version: string, provider: string): string {
  return `${version}/${provider}.box`;
}

/** `baseUrl` joined with a relative path (the base is treated as a folder). */
export function catalogUrl(baseUrl: string, relative: string): string {
  let base: URL;
  try {
    base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  } catch (error) {
    throw new BoxwrightError('E_SPEC_INVALID', `"${baseUrl}" is not a URL: give --base-url like https://boxes.example.com/name/.`, { path: 'baseUrl', cause: error });
  }
  return new URL(relative.split('/').map(encodeURIComponent).join('/'), base).href;
}

/**
 * Reads `<dir>/metadata.json`, or returns `undefined` when the folder holds no catalog yet.
 *
 * @throws {BoxwrightError} `E_PUBLISH` when the file is not a catalog.
 */
export async function readCatalog(dir: string): Promise<CatalogMetadata | undefined> {
  const path = join(dir, METADATA_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BoxwrightError('E_PUBLISH', `Cannot read ${path}: check its permissions.`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BoxwrightError('E_PUBLISH', `${path} is not valid JSON: restore it from a backup or publish into an empty folder.`, { cause: error });
  }
  const meta = data as Partial<CatalogMetadata> | null;
  if (typeof meta !== 'object' || meta === null || typeof meta.name !== 'string' || !Array.isArray(meta.versions)) {
    throw new BoxwrightError('E_PUBLISH', `${path} is not a Vagrant catalog (needs "name" and "versions"): publish into another folder.`);
  }
  return meta as CatalogMetadata;
}

function compareVersions(a: CatalogVersion, b: CatalogVersion): number {
  const va = semver.valid(a.version);
  const vb = semver.valid(b.version);
  if (va && vb) return semver.compare(va, vb);
  if (va) return 1;
  if (vb) return -1;
  return a.version.localeCompare(b.version);
}

async function existingFileMatches(path: string, sha256: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    return (await sha256File(path)) === sha256;
  } catch {
    return false;
  }
}

/**
 * Adds a box to a static catalog folder: copies it to `<dir>/<version>/<provider>.box` and
 * records it in `<dir>/metadata.json`, keeping the other versions (sorted by semver).
 *
 * The box's sha256 is checked before anything is written. Every file is written to a temp file
 * in its folder and renamed into place, the box first and `metadata.json` last, so a reader
 * never sees a half-written file nor a catalog entry without its box. One publish at a time
 * per folder (a lock file guards it).
 *
 * Re-publishing the same version + provider with the same checksum changes nothing
 * (`noop: true`); with another checksum it is refused unless `force`.
 *
 * @throws {BoxwrightError} `E_CHECKSUM`, `E_PUBLISH_CONFLICT`, `E_SPEC_INVALID` (version), `E_PUBLISH`.
 */
export async function publishToCatalog(options: CatalogPublishOptions): Promise<CatalogPublishResult> {
  const { dir, name, provider, force = false, onEvent } = options;
  const { sha256, source } = await verifyBox(options.box, options.checksum);
  onEvent?.({ type: 'step', step: 'verify', action: 'done', message: `sha256 ${sha256} (${source === 'none' ? 'computed; no checksum given and no .sha256 sidecar' : `matches the ${source}`})` });
  if (source === 'none') onEvent?.({ type: 'log', level: 'warn', message: `No checksum to verify ${options.box} against; publishing its computed sha256.` });
  catalogUrl(options.baseUrl, METADATA_FILE); // validates the base URL before any write

  await mkdir(dir, { recursive: true });
  // Concurrent publishes into one folder take turns: each re-reads metadata.json under the mutex.
  return withMutex(join(dir, LOCK_FILE), async () => {
    const current = await readCatalog(dir);
    if (current && current.name !== name) {
      throw new BoxwrightError('E_PUBLISH_CONFLICT', `Catalog ${dir} holds box "${current.name}", not "${name}": use one catalog folder per box name.`, { path: 'name' });
    }
    const version = nextVersion(current?.versions.map((v) => v.version) ?? [], { version: options.version, bump: options.bump }, force);
    const relative = catalogBoxPath(version, provider);
    const boxPath = join(dir, relative);
    const url = catalogUrl(options.baseUrl, relative);
    const result = { version, provider, checksum: sha256, url, catalogUrl: catalogUrl(options.baseUrl, METADATA_FILE), boxPath, metadataPath: join(dir, METADATA_FILE) };

    const versions = (current?.versions ?? []).map((v) => ({ ...v, providers: [...(v.providers ?? [])] }));
    let entry = versions.find((v) => v.version === version);
    const existing = entry?.providers.find((p) => p.name === provider);
    if (existing && existing.checksum?.toLowerCase() !== sha256 && !force) {
      throw new BoxwrightError(
        'E_PUBLISH_CONFLICT',
        `Version ${version} of "${name}" already has a ${provider} box with sha256 ${existing.checksum}, not ${sha256}: publish a new version (--bump) or replace it with --force.`,
        { path: 'version' },
      );
    }

    const sameBox = existing?.checksum?.toLowerCase() === sha256 && (await existingFileMatches(boxPath, sha256));
    const description = options.description ?? current?.description;
    if (sameBox && existing.url === url && description === current?.description) {
      onEvent?.({ type: 'step', step: 'metadata', action: 'noop', message: `${name} ${version} (${provider}) is already in the catalog with this checksum` });
      return { ...result, noop: true };
    }

    if (sameBox) {
      onEvent?.({ type: 'step', step: 'copy', action: 'skipped', message: `${relative} already holds this box` });
    } else {
      await mkdir(join(dir, version), { recursive: true });
      await copyFileAtomic(options.box, boxPath, options.hooks?.beforeBoxRename);
      onEvent?.({ type: 'step', step: 'copy', action: 'done', message: `copied to ${relative}` });
    }

    const record: CatalogProvider = { name: provider, url, checksum_type: 'sha256', checksum: sha256, architecture: 'amd64', default_architecture: true };
    if (!entry) {
      entry = { version, providers: [] };
      versions.push(entry);
    }
    entry.providers = [...entry.providers.filter((p) => p.name !== provider), record].sort((a, b) => a.name.localeCompare(b.name));
    versions.sort(compareVersions);
    const metadata: CatalogMetadata = { name, ...(description === undefined ? {} : { description }), versions };
    await writeFileAtomic(result.metadataPath, `${JSON.stringify(metadata, null, 2)}\n`, options.hooks?.beforeMetadataRename);
    onEvent?.({ type: 'step', step: 'metadata', action: existing ? 'updated' : 'created', message: `${METADATA_FILE}: ${name} ${version} (${provider})` });
    return { ...result, noop: false };
  });
}
