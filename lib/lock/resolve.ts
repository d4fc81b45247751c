import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { debianRecipeHash } from '../base/debian.js';
import { BoxwrightError } from '../errors.js';
import { detectPacker } from '../packer/capabilities.js';
import { BASES, type MirrorBaseRow, type PlannedBase } from '../plan/bases.js';
import { planBuild } from '../plan/plan.js';
import { defaultCacheDir, hashSources } from '../render/app-bundle.js';
import type { BaseName, ImageSpec } from '../image/types.js';
import { aptCandidate, debianGuestSources } from './apt.js';
import { fetchReleaseDate } from './release.js';
import { type BaseLock, type CloudImageBaseLock, type Lock, LOCK_FORMAT, type MirrorBaseLock, type ResolveLockOptions } from './types.js';

/**
 * Mirror settings of the Debian 12 base: its row of the base table (lib/plan/bases.ts). A lock
 * reads the planned base's own row, so the recipe hash recorded is the one a build computes.
 */
export const DEBIAN_MIRROR = (({ mirror, securityMirror, suite }: MirrorBaseRow) => ({ mirror, securityMirror, suite }))(BASES['debian-12'] as MirrorBaseRow);

/** What `guest.nodejs` says for an Ubuntu base, whose mirror is not reachable from these machines. */
export const UBUNTU_NODEJS_UNKNOWN = 'unknown (resolve where the Ubuntu mirror is reachable)';

/**
 * Resolves every input of a build to an exact value, without building anything:
 * - base: debian-12 / debian-13 → recipe hash, mirror, suite and the `Date:` of the mirror's and the security
 *   mirror's Release files (read over HTTP); ubuntu-24.04 → the pinned dated cloud image
 *   (URL + sha256) and the apt snapshot URL planned for its date; custom → image + sha256;
 * - packer: version (from `packer version`) and the plugins it pins;
 * - guest: the `nodejs` version apt will install in the guest (Debian: read with the host's apt
 *   from the base's own sources, in a private state folder);
 * - app: the source hash (the app bundle's cache key), package-lock.json's `lockfileVersion` and
 *   the resolved versions of the app's direct dependencies.
 *
 * Same inputs (and the same mirror snapshot), same lock: the result has a stable key order.
 * A build hands its plan over (`options.plan`, planned with the detected packer): then nothing is
 * planned or detected again here.
 *
 * @throws BoxwrightError `E_SPEC_INVALID` for an impossible provider/base/kind, `E_PACKER_MISSING` /
 *   `E_PACKER_VERSION`, `E_BASE` when the mirror cannot be read.
 */
export async function resolveLock(spec: ImageSpec, options: ResolveLockOptions = {}): Promise<Lock> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const detected = options.plan ? undefined : await detectPacker(options.packerPath ? { packerPath: options.packerPath } : {});
  const plan = options.plan ?? await planBuild(spec, {
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.base ? { base: options.base } : {}),
    ...(options.kind ? { kind: options.kind } : {}),
    packer: detected!.capabilities,
  });
  const [base, app] = await Promise.all([resolveBaseLock(spec, plan.base, options), resolveApp(spec)]);
  const packer = { version: plan.packer.version, plugins: sorted({ ...plan.packer.plugins }) };
  const nodejs = await resolveNodejs(base, cacheDir, options.signal);
  return { format: LOCK_FORMAT, base, packer, guest: nodejs, app };
}

async function resolveBaseLock(spec: ImageSpec, planned: PlannedBase, options: ResolveLockOptions): Promise<BaseLock> {
  if (planned.source === 'mirror' && planned.mirror) {
    const { mirror, suite, securityMirror } = planned.mirror;
    const fetchOptions = options.signal ? { signal: options.signal } : {};
    const [recipeHash, mirrorReleaseDate, securityReleaseDate] = await Promise.all([
      // The whole mirror row (suite, package list, sources format): the recipe hash a build computes.
      debianRecipeHash({ ...planned.mirror, release: planned.os, diskSize: spec.vm.diskSize }),
      fetchReleaseDate(mirror, suite, fetchOptions),
      securityMirror === '' ? Promise.resolve('') : fetchReleaseDate(securityMirror, `${suite}-security`, fetchOptions),
    ]);
    const lock: MirrorBaseLock = {
      os: planned.os, source: 'mirror', recipeHash, mirror, suite, mirrorReleaseDate,
      securityMirror, securitySuite: `${suite}-security`, securityReleaseDate,
    };
    return lock;
  }
  if (planned.source === 'cloud-image') return cloudImageBaseLock(planned.os);
  const base = spec.base;
  if (typeof base !== 'object') throw new BoxwrightError('E_SPEC_INVALID', 'a custom base needs { image, sha256 } in image.json', { path: 'base' });
  return { os: planned.os, source: 'custom', image: base.image, sha256: base.sha256.toLowerCase() };
}

/**
 * The Ubuntu 24.04 base: the pinned dated cloud image, and the Ubuntu apt snapshot of the same day.
 * snapshot.ubuntu.com cannot be reached from these machines, so the snapshot URL is derived from
 * the image's release folder date, not read; the lock says so in `aptSnapshotNote`.
 */
export function ubuntuBaseLock(): CloudImageBaseLock {
  return cloudImageBaseLock('ubuntu-24.04');
}

/** The lock of a cloud-image row of the base table. */
function cloudImageBaseLock(os: BaseName): CloudImageBaseLock {
  const row = BASES[os];
  if (row.source !== 'cloud-image') throw new Error(`${os} is not a cloud-image base`);
  const date = row.release;
  return {
    os,
    source: 'cloud-image',
    url: row.url,
    sha256: row.sha256,
    release: `release-${date}`,
    checksumUrl: row.checksumUrl,
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
  const sourceHash = await hashSources({ imageDir: spec.dir, source: spec.app.source }).catch((cause: unknown) => {
    if (cause instanceof BoxwrightError) throw cause;
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
