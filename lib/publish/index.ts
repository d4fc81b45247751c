import { BoxwrightError } from '../errors.js';
import type { Provider } from '../image/types.js';
import { findBoxes, parseBoxFileName } from './box-file.js';
import { publishToStore } from './catalog.js';
import { openCatalogStore } from './remote.js';
import { DirStore } from './store-dir.js';
import type { PublishEventHandler } from './events.js';
import type { RetryOptions } from './http.js';
import { publishToVagrantCloud, type VagrantCloudTarget } from './vagrant-cloud.js';
import type { BumpLevel } from './version.js';

export { findBoxes, parseBoxFileName, type BoxFileName } from './box-file.js';
export { publishToCatalog, publishToStore, readCatalog, type CatalogEntryOptions, type CatalogMetadata, type CatalogProvider, type CatalogPublishOptions, type CatalogPublishResult, type CatalogVersion } from './catalog.js';
export type { CatalogSnapshot, CatalogStore } from './store.js';
export { verifyBox } from './checksum.js';
export type { PublishEvent, PublishEventHandler, PublishStepAction, PublishStepName } from './events.js';
export { getHcpToken, type HcpTokenOptions } from './hcp.js';
export { RegistryHttpError, type RetryOptions } from './http.js';
export { publishToVagrantCloud, type VagrantCloudPublishOptions, type VagrantCloudPublishResult, type VagrantCloudTarget } from './vagrant-cloud.js';
export { nextVersion, type BumpLevel, type VersionRequest } from './version.js';

/** A static catalog folder (served by any web server) as the publish target. */
export interface CatalogTarget {
  kind: 'catalog';
  /** The catalog folder; one folder per box name. */
  dir: string;
  /** URL the folder is served at. */
  baseUrl: string;
  /** Box description in `metadata.json`. */
  description?: string;
}

/**
 * A remote catalog: `https://host/path/` written with HTTP PUT (credentials from
 * `BOXWRIGHT_PUBLISH_TOKEN`, or `BOXWRIGHT_PUBLISH_USER` + `BOXWRIGHT_PUBLISH_PASSWORD`), or
 * `s3://bucket/prefix/` written through the AWS SDK (standard `AWS_*` environment).
 */
export interface RemoteCatalogTarget {
  kind: 'catalog-url';
  /** `https://…/` (or `http://…/`) or `s3://bucket/prefix/`. */
  url: string;
  /** Public URL the catalog is served at. @default `url` for HTTP catalogs; required for S3 */
  baseUrl?: string;
  /** Box description in `metadata.json`. */
  description?: string;
  /**
   * Publish even where the server cannot make the write of metadata.json conditional (no
   * If-Match, no lock): you promise that no other publish runs against this catalog meanwhile.
   * @default false
   */
  singleWriter?: boolean;
  /** Environment to read credentials and AWS settings from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Vagrant Cloud (or an HCP-migrated organization through it) as the publish target. */
export interface RegistryTarget extends VagrantCloudTarget, RetryOptions {
  kind: 'vagrant-cloud';
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Options of {@link publishBox}. */
export interface PublishOptions {
  /** Path of the `.box` file (`<name>-<version>.<provider>.box` as a build writes it). */
  box: string;
  /** Expected sha256 of the box. @default the `<box>.sha256` sidecar, if present */
  checksum?: string;
  /** Box name in a catalog. @default the name in the box file name; for Vagrant Cloud, `target.box` */
  name?: string;
  /** Version to publish (semver). @default the version in the box file name, unless `bump` is given */
  version?: string;
  /** Or bump the latest published version: `patch` | `minor` | `major`. */
  bump?: BumpLevel;
  /** Catalog: replace a provider published with another checksum. Both: allow a version not above the latest. @default false */
  force?: boolean;
  target: CatalogTarget | RemoteCatalogTarget | RegistryTarget;
  /** @default the provider in the box file name */
  provider?: Provider;
  /** Box architecture: a version can hold one provider for several (Vagrant ≥ 2.4 picks the host's). @default "amd64" */
  architecture?: string;
  onEvent?: PublishEventHandler;
  /** Cancels registry requests. */
  signal?: AbortSignal;
}

/** What {@link publishBox} did. */
export interface PublishResult {
  target: 'catalog' | 'catalog-url' | 'vagrant-cloud';
  version: string;
  provider: string;
  architecture: string;
  /** Download URL of the box, when known. */
  url?: string;
  /** Catalog only: URL of `metadata.json`, for `vagrant box add`. */
  catalogUrl?: string;
  /** sha256 of the published box. */
  checksum: string;
  /** True when the target already held this version + provider with this checksum. */
  noop: boolean;
}

/**
 * Publishes one box to a static catalog folder or to Vagrant Cloud.
 *
 * The box's sha256 is verified (against `checksum`, or its `.sha256` sidecar) before anything is
 * written or uploaded. The version is `version`, or `bump` applied to the latest published one,
 * or else the version in the box file name (see {@link nextVersion} for the rules).
 * Publishing again what is already there is a no-op (`noop: true`).
 *
 * @example
 * ```ts
 * await publishBox({ box: 'out/foobar-web-1.0.0.libvirt.box', bump: 'minor',
 *   target: { kind: 'catalog', dir: '/srv/boxes/foobar-web', baseUrl: 'https://boxes.example.com/foobar-web/' } });
 * ```
 * @throws {BoxwrightError} `E_CHECKSUM`, `E_PUBLISH_CONFLICT`, `E_SPEC_INVALID` (`version`/`bump`/`box`),
 *   `E_REGISTRY_HTTP`, `E_PUBLISH`, `E_USAGE` (missing token or provider), `E_CANCELLED`.
 */
export async function publishBox(options: PublishOptions): Promise<PublishResult> {
  const parsed = parseBoxFileName(options.box);
  const provider = options.provider ?? parsed?.provider;
  if (!provider) {
    throw new BoxwrightError('E_USAGE', `Cannot tell the provider of ${options.box} (expected <name>-<version>.<provider>.box): pass provider (libvirt or virtualbox).`, { path: 'provider' });
  }
  const version = options.version ?? (options.bump === undefined ? parsed?.version : undefined);
  const { target } = options;

  const architecture = options.architecture ?? (target.kind === 'vagrant-cloud' ? target.architecture : undefined) ?? 'amd64';

  if (target.kind === 'catalog' || target.kind === 'catalog-url') {
    const name = options.name ?? parsed?.name;
    if (!name) throw new BoxwrightError('E_USAGE', `Cannot tell the box name of ${options.box}: pass name.`, { path: 'name' });
    const store = target.kind === 'catalog' ? new DirStore(target.dir) : await openCatalogStore(target, options);
    const r = await publishToStore(store, {
      box: options.box, checksum: options.checksum, baseUrl: target.baseUrl, name, description: target.description,
      provider, architecture, version, bump: options.bump, force: options.force, onEvent: options.onEvent,
    });
    return { target: target.kind, version: r.version, provider, architecture, url: r.url, catalogUrl: r.catalogUrl, checksum: r.checksum, noop: r.noop };
  }
  if (target.kind === 'vagrant-cloud') {
    const r = await publishToVagrantCloud({
      ...target, architecture, file: options.box, checksum: options.checksum, provider, version, bump: options.bump, force: options.force,
      onEvent: options.onEvent, signal: options.signal,
    });
    return { target: 'vagrant-cloud', version: r.version, provider, architecture, ...(r.url ? { url: r.url } : {}), checksum: r.checksum, noop: r.noop };
  }
  throw new BoxwrightError('E_USAGE', `Unknown publish target kind "${(target as { kind?: unknown }).kind}": use "catalog" or "vagrant-cloud".`, { path: 'target.kind' });
}

/**
 * Publishes every box of a build's `--out` folder (or the one `.box` given) as one version:
 * the first box settles the version (explicit, bumped, or from its file name) and the others
 * (other providers) are published under that same version, in file-name order.
 *
 * @throws {BoxwrightError} as {@link publishBox}; `E_USAGE` when the path holds no box. Boxes
 *   published before an error stay published; running again resumes (they are no-ops).
 */
export async function publishBoxes(pathOrDir: string, options: Omit<PublishOptions, 'box' | 'checksum' | 'provider'>): Promise<PublishResult[]> {
  const results: PublishResult[] = [];
  for (const box of await findBoxes(pathOrDir)) {
    const first = results[0];
    results.push(await publishBox(first ? { ...options, box, version: first.version, bump: undefined } : { ...options, box }));
  }
  return results;
}
