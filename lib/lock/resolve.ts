import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { debianRecipeHash } from '../base/debian.js';
import { UBUNTU_2404 } from '../base/ubuntu.js';
import { BoxwrightError } from '../errors.js';
import { detectPacker } from '../packer/capabilities.js';
import { defaultCacheDir, hashSources } from '../render/app-bundle.js';
import { planFor } from '../render/render-image.js';
import type { ImageSpec } from '../image/types.js';
import { aptCandidate, debianGuestSources } from './apt.js';
import { fetchReleaseDate } from './release.js';
import { type BaseLock, type CloudImageBaseLock, type Lock, LOCK_FORMAT, type MirrorBaseLock, type ResolveLockOptions } from './types.js';

/**
 * Mirror settings of the Debian base. They are the defaults of `ensureDebianBase`
 * (lib/base/debian.ts), which `buildImage` uses; they are passed to `debianRecipeHash`
 * explicitly, so the recipe hash recorded here is the one a build computes.
 */
export const DEBIAN_MIRROR = { mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security', suite: 'bookworm' } as const;

/** What `guest.nodejs` says for an Ubuntu base, whose mirror is not reachable from these machines. */
export const UBUNTU_NODEJS_UNKNOWN = 'unknown (resolve where the Ubuntu mirror is reachable)';

/**
 * Resolves every input of a build to an exact value, without building anything:
 * - base: debian-12 → recipe hash, mirror, suite and the `Date:` of the mirror's and the security
 *   mirror's Release files (read over HTTP); ubuntu-24.04 → the pinned dated cloud image
 *   (URL + sha256) and the apt snapshot URL planned for its date; custom → image + sha256;
 * - packer: version (from `packer version`) and the plugins it pins;
 * - guest: the `nodejs` version apt will install in the guest (debian-12: read with the host's apt
 *   from the base's own sources, in a private state folder);
 * - app: the source hash (the app bundle's cache key), package-lock.json's `lockfileVersion` and
 *   the resolved versions of the app's direct dependencies.
 *
 * Same inputs (and the same mirror snapshot), same lock: the result has a stable key order.
 *
 * @throws BoxwrightError `E_SPEC_INVALID` for an impossible provider/base/kind, `E_PACKER_MISSING` /
 *   `E_PACKER_VERSION`, `E_BASE` when the mirror cannot be read.
 */
export async function resolveLock(spec: ImageSpec, options: ResolveLockOptions = {}): Promise<Lock> {
  const plan = planFor(spec, {
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.base ? { base: options.base } : {}),
    ...(options.kind ? { kind: options.kind } : {}),
  });
  const cacheDir = options.cacheDir ?? defaultCacheDir();

  const [base, packer, app] = await Promise.all([
    resolveBaseLock(spec, plan.base.source, options),
    (async () => {
      const { capabilities } = await detectPacker(options.packerPath ? { packerPath: options.packerPath } : {});
      return { version: capabilities.version, plugins: sorted({ ...capabilities.plugins }) };
    })(),
    resolveApp(spec),
  ]);
  const nodejs = await resolveNodejs(base, cacheDir, options.signal);
  return { format: LOCK_FORMAT, base, packer, guest: nodejs, app };
}

async function resolveBaseLock(spec: ImageSpec, source: 'mirror' | 'cloud-image' | 'custom', options: ResolveLockOptions): Promise<BaseLock> {
  if (source === 'mirror') {
    const { mirror, suite } = DEBIAN_MIRROR;
    const securityMirror: string = DEBIAN_MIRROR.securityMirror;
    const fetchOptions = options.signal ? { signal: options.signal } : {};
    const [recipeHash, mirrorReleaseDate, securityReleaseDate] = await Promise.all([
      debianRecipeHash({ mirror, securityMirror, suite, diskSize: spec.vm.diskSize }),
      fetchReleaseDate(mirror, suite, fetchOptions),
      securityMirror === '' ? Promise.resolve('') : fetchReleaseDate(securityMirror, `${suite}-security`, fetchOptions),
    ]);
    const lock: MirrorBaseLock = {
      os: 'debian-12', source: 'mirror', recipeHash, mirror, suite, mirrorReleaseDate,
      securityMirror, securitySuite: `${suite}-security`, securityReleaseDate,
    };
    return lock;
  }
  if (source === 'cloud-image') return ubuntuBaseLock();
  const base = spec.base;
  if (typeof base !== 'object') throw new BoxwrightError('E_SPEC_INVALID', 'a custom base needs { image, sha256 } in image.json', { path: 'base' });
  return { os: base.os ?? 'debian-12', source: 'custom', image: base.image, sha256: base.sha256.toLowerCase() };
}

/**
 * The Ubuntu 24.04 base: the pinned dated cloud image, and the Ubuntu apt snapshot of the same day.
 * snapshot.ubuntu.com cannot be reached from these machines, so the snapshot URL is derived from
 * the image's release folder date, not read; the lock says so in `aptSnapshotNote`.
 */
export function ubuntuBaseLock(): CloudImageBaseLock {
  const date = UBUNTU_2404.release;
  return {
    os: 'ubuntu-24.04',
    source: 'cloud-image',
    url: UBUNTU_2404.url,
    sha256: UBUNTU_2404.sha256,
    release: `release-${date}`,
    checksumUrl: UBUNTU_2404.checksumUrl,
    aptSnapshot: `https://snapshot.ubuntu.com/ubuntu/${date}T000000Z`,
    aptSnapshotNote: `planned: derived from the cloud image's release folder date (${date}); snapshot.ubuntu.com was not reachable where this lock was made, so it is not verified`,
  };
}

/**
 * The guest's nodejs: for the mirror base, apt's candidate from the base's own sources. The apt
 * lists are refreshed when a suite's Release date moved since the last read (the updates suite's
 * date is read for that too; the lock does not record it).
 */
async function resolveNodejs(base: BaseLock, cacheDir: string, signal?: AbortSignal): Promise<Lock['guest']> {
  if (base.source === 'mirror') {
    const sources = debianGuestSources(base.mirror, base.securityMirror, base.suite);
    const updatesDate = await fetchReleaseDate(base.mirror, `${base.suite}-updates`, signal ? { signal } : {});
    const freshness = [base.mirrorReleaseDate, updatesDate, base.securityReleaseDate].join(' ');
    const version = await aptCandidate('nodejs', sources, { cacheDir, freshness, ...(signal ? { signal } : {}) });
    if (version === undefined) throw new BoxwrightError('E_BASE', `apt knows no nodejs package in ${base.mirror} ${base.suite}; check the mirror`);
    return { nodejs: version, nodejsSources: sources };
  }
  if (base.os === 'ubuntu-24.04') return { nodejs: UBUNTU_NODEJS_UNKNOWN, nodejsSources: [] };
  return { nodejs: 'unknown (a custom base image: its apt sources are not known to Boxwright)', nodejsSources: [] };
}

interface PackageLockJson {
  lockfileVersion?: number;
  packages?: Record<string, { version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
  dependencies?: Record<string, { version?: string }>;
}

async function resolveApp(spec: ImageSpec): Promise<Lock['app']> {
  const dir = path.resolve(spec.dir, spec.app.source);
  const sourceHash = await hashSources(dir).catch((cause: unknown) => {
    throw new BoxwrightError('E_SPEC_INVALID', `image spec: app.source: cannot read ${dir}; point app.source at the app folder`, { path: 'app.source', cause });
  });
  const text = await readFile(path.join(dir, 'package-lock.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return { source: spec.app.source, sourceHash, lockfileVersion: null, dependencies: {} };
  let lock: PackageLockJson;
  try {
    lock = JSON.parse(text) as PackageLockJson;
  } catch (cause) {
    throw new BoxwrightError('E_SPEC_INVALID', `${path.join(dir, 'package-lock.json')} is not JSON; run npm install in the app folder`, { path: 'app.source', cause });
  }
  return { source: spec.app.source, sourceHash, lockfileVersion: lock.lockfileVersion ?? null, dependencies: directDependencies(lock, dir) };
}

/** Direct dependencies of the app → the version its package-lock.json resolves them to. */
function directDependencies(lock: PackageLockJson, dir: string): Record<string, string> {
  const root = lock.packages?.[''];
  let names: string[];
  if (root) {
    names = [...Object.keys(root.dependencies ?? {}), ...Object.keys(root.optionalDependencies ?? {})];
  } else {
    names = Object.keys(lock.dependencies ?? {}); // lockfileVersion 1: no root entry
  }
  const result: Record<string, string> = {};
  for (const name of names) {
    const version = lock.packages?.[`node_modules/${name}`]?.version ?? lock.dependencies?.[name]?.version;
    if (version === undefined) {
      throw new BoxwrightError('E_SPEC_INVALID', `${dir}/package-lock.json does not resolve the dependency ${name}; run npm install in the app folder`, { path: 'app.source' });
    }
    result[name] = version;
  }
  return sorted(result);
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
