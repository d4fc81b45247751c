import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxwrightError, isBoxwrightError } from '../errors.js';
import {
  catalogBoxPath, catalogText, catalogUrl, checkArchitecture, DEFAULT_ARCHITECTURE, mergeCatalog, METADATA_FILE,
  normalizeBaseUrl, parseCatalog, relativeTo, type CatalogMetadata, type CatalogProvider,
} from './catalog-metadata.js';
import { checkBoxLayout } from './box-file.js';
import { verifyBox } from './checksum.js';
import type { PublishEventHandler } from './events.js';
import { DirStore, type DirStoreHooks } from './store-dir.js';
import type { CatalogStore } from './store.js';
import { nextVersion, type BumpLevel } from './version.js';

export {
  catalogBoxPath, catalogUrl, METADATA_FILE, normalizeBaseUrl, parseCatalog,
  type CatalogMetadata, type CatalogProvider, type CatalogVersion,
} from './catalog-metadata.js';

/** What to publish into a catalog, wherever it lives. */
export interface CatalogEntryOptions {
  /** Path of the `.box` file. */
  box: string;
  /** Expected sha256 of the box; defaults to its `<box>.sha256` sidecar. */
  checksum?: string;
  /** URL the catalog is served at, e.g. `https://boxes.example.com/foobar-web/`. @default the store's URL (HTTP catalogs) */
  baseUrl?: string;
  /** Box name written to `metadata.json`, e.g. `foobar/web`. */
  name: string;
  /** Box description; keeps the catalog's one when omitted. */
  description?: string;
  /** Provider name, e.g. `libvirt`. */
  provider: string;
  /** Box architecture (Vagrant ≥ 2.4 picks the host's). @default "amd64" */
  architecture?: string;
  /** Explicit version (see {@link nextVersion}). */
  version?: string;
  /** Or a bump from the latest version in the catalog. */
  bump?: BumpLevel;
  /** Replace a provider published with another checksum; allow versions not above the latest. @default false */
  force?: boolean;
  onEvent?: PublishEventHandler;
  /** Re-reads of metadata.json after it changed under us, before giving up. @default 20 */
  maxConflicts?: number;
}

/** Options of {@link publishToCatalog} (a local catalog folder). */
export interface CatalogPublishOptions extends CatalogEntryOptions {
  /** Catalog folder (created if missing). One folder holds one box name. */
  dir: string;
  /** URL the folder is served at. */
  baseUrl: string;
  /** @internal Test hooks run before each rename (box, then metadata). */
  hooks?: DirStoreHooks;
}

/** What a catalog publish did. */
export interface CatalogPublishResult {
  version: string;
  provider: string;
  architecture: string;
  checksum: string;
  /** Download URL of the box file. */
  url: string;
  /** URL of `metadata.json`: what users give to `vagrant box add`. */
  catalogUrl: string;
  /** Where the box is in the catalog (a path for a folder, a URL or s3:// location for remote ones). */
  boxPath: string;
  metadataPath: string;
  /** True when this version + provider + architecture was already published with this checksum. */
  noop: boolean;
}

function sameMetadata(a: CatalogMetadata | undefined, b: CatalogMetadata): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Adds a box to a catalog held by `store` (see {@link CatalogStore}): the sha256 and the box's
 * layout are checked and every entry of the current metadata.json is validated before anything
 * is written; the box is uploaded first (under a name carrying its checksum), metadata.json
 * last, and only if it did not change since it was read — otherwise it is re-read, the entry
 * merged again (the version and conflict rules applied to what is there now) and written again.
 *
 * Same version + provider + architecture + checksum again: a no-op. Another checksum: refused
 * unless `force`.
 *
 * @throws {BoxwrightError} `E_CHECKSUM`, `E_PUBLISH_CONFLICT`, `E_SPEC_INVALID` (version, base URL), `E_PUBLISH`.
 */
export async function publishToStore(store: CatalogStore, options: CatalogEntryOptions): Promise<CatalogPublishResult> {
  const { name, provider, force = false, onEvent } = options;
  const architecture = checkArchitecture(options.architecture ?? DEFAULT_ARCHITECTURE);
  const baseRaw = options.baseUrl ?? store.defaultBaseUrl;
  if (baseRaw === undefined) throw new BoxwrightError('E_USAGE', `Give the URL the catalog at ${store.location} is served at (--base-url).`, { path: 'baseUrl' });
  const base = normalizeBaseUrl(baseRaw);
  const { sha256, source } = await verifyBox(options.box, options.checksum);
  onEvent?.({ type: 'step', step: 'verify', action: 'done', message: `sha256 ${sha256} (${source === 'none' ? 'computed; no checksum given and no .sha256 sidecar' : `matches the ${source}`})` });
  if (source === 'none') onEvent?.({ type: 'log', level: 'warn', message: `No checksum to verify ${options.box} against; publishing its computed sha256.` });
  await checkBoxLayout(options.box, provider);
  const size = (await stat(options.box)).size;
  await store.prepare();

  const metadataUrl = catalogUrl(base, METADATA_FILE);
  const maxConflicts = options.maxConflicts ?? 20;
  let uploaded: string | undefined;
  for (let attempt = 1; ; attempt++) {
    const snapshot = await store.read();
    const current = parseCatalog(snapshot.text, `${store.location} (${METADATA_FILE})`);
    if (current && current.name !== name) {
      throw new BoxwrightError('E_PUBLISH_CONFLICT', `Catalog ${store.location} holds box "${current.name}", not "${name}": use one catalog per box name.`, { path: 'name' });
    }
    const version = nextVersion(current?.versions.map((v) => v.version) ?? [], { version: options.version, bump: options.bump }, force);
    const existing = current?.versions.find((v) => v.version === version)?.providers.find((p) => p.name === provider && p.architecture === architecture);
    if (existing && existing.checksum.toLowerCase() !== sha256 && !force) {
      throw new BoxwrightError(
        'E_PUBLISH_CONFLICT',
        `Version ${version} of "${name}" already has a ${provider} (${architecture}) box with sha256 ${existing.checksum}, not ${sha256}: publish a new version (--bump) or replace it with --force.`,
        { path: 'version' },
      );
    }

    // The box already there (possibly under an older naming scheme) is kept when it is this box.
    let relative = catalogBoxPath(version, provider, architecture, sha256);
    let present = uploaded === relative;
    const earlier = existing && existing.checksum.toLowerCase() === sha256 ? relativeTo(base, existing.url) : undefined;
    if (earlier !== undefined && (earlier === uploaded || (await store.hasBox(earlier, size, sha256)))) {
      relative = earlier;
      present = true;
    }
    const url = catalogUrl(base, relative);
    const record: CatalogProvider = { ...(existing?.checksum.toLowerCase() === sha256 ? existing : {}), name: provider, url, checksum_type: 'sha256', checksum: sha256, architecture, default_architecture: true };
    const next = mergeCatalog(current, name, options.description ?? current?.description, version, record);
    const result = { version, provider, architecture, checksum: sha256, url, catalogUrl: metadataUrl, boxPath: store.locate(relative), metadataPath: store.locate(METADATA_FILE) };

    if (present && sameMetadata(current, next)) {
      onEvent?.({ type: 'step', step: 'metadata', action: 'noop', message: `${name} ${version} (${provider}, ${architecture}) is already in the catalog with this checksum` });
      return { ...result, noop: true };
    }
    if (!present) {
      if (await store.hasBox(relative, size, sha256)) {
        onEvent?.({ type: 'step', step: 'copy', action: 'skipped', message: `${relative} already holds this box` });
      } else {
        await store.putBox(relative, options.box, size, sha256);
        onEvent?.({ type: 'step', step: 'copy', action: 'done', message: `${relative} (${size} bytes)` });
      }
      uploaded = relative;
    }
    if (await store.commit(snapshot, catalogText(next))) {
      onEvent?.({ type: 'step', step: 'metadata', action: existing ? 'updated' : 'created', message: `${METADATA_FILE}: ${name} ${version} (${provider}, ${architecture})` });
      return { ...result, noop: false };
    }
    if (attempt >= maxConflicts) {
      throw new BoxwrightError('E_PUBLISH_CONFLICT', `${METADATA_FILE} at ${store.location} changed ${attempt} times while this publish tried to write it: other publishes are busy there; run again later (the box is uploaded, it will be reused).`);
    }
    onEvent?.({ type: 'log', level: 'info', message: `${METADATA_FILE} changed since it was read (another publish); re-reading and merging (${attempt}/${maxConflicts})` });
    await sleep(Math.min(2000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
  }
}

/**
 * Adds a box to a static catalog folder: copies it to `<dir>/<version>/<provider>-<arch>-<sha>.box`
 * and records it in `<dir>/metadata.json`, keeping the other versions (sorted by semver). Files
 * are written to a temp file and renamed into place, the box first and metadata.json last;
 * concurrent publishes into one folder merge their entries (see {@link publishToStore}).
 *
 * @throws {BoxwrightError} `E_CHECKSUM`, `E_PUBLISH_CONFLICT`, `E_SPEC_INVALID` (version, base URL), `E_PUBLISH`.
 */
export async function publishToCatalog(options: CatalogPublishOptions): Promise<CatalogPublishResult> {
  return publishToStore(new DirStore(options.dir, options.hooks), options);
}

/**
 * Reads and validates `<dir>/metadata.json`, or returns `undefined` when the folder holds no catalog yet.
 *
 * @throws {BoxwrightError} `E_PUBLISH` when the file is not a catalog.
 */
export async function readCatalog(dir: string): Promise<CatalogMetadata | undefined> {
  const store = new DirStore(dir);
  try {
    return parseCatalog((await store.read()).text, store.locate(METADATA_FILE));
  } catch (error) {
    if (isBoxwrightError(error)) throw error;
    throw new BoxwrightError('E_PUBLISH', `Cannot read ${store.locate(METADATA_FILE)}: check its permissions.`, { cause: error });
  }
}
