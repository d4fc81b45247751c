import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { BoxwrightError, isBoxwrightError } from '../errors.js';
import { hashRecipe } from './hash.js';
import { sha256File } from '../util/hash.js';
import { acquireMutex } from '../util/mutex.js';
import { baseScriptsDir, defaultCacheDir } from './paths.js';
import { removeBuildDir, runLogged } from './run.js';
import type { BaseName } from '../image/types.js';
import { BASES, isMirrorBase, type MirrorBaseRow, type SourcesFormat } from '../plan/bases.js';

/** Options of {@link ensureDebianBase}. */
export interface DebianBaseOptions {
  /**
   * Which mirror base of the base table (lib/plan/bases.ts) this is: it names the cache entry and
   * gives the defaults of suite, mirrors, package list and sources format. @default "debian-12"
   */
  release?: BaseName;
  /** Cache folder; entries go to `<cacheDir>/base/<release>-<recipeHash>/`. @default `$XDG_CACHE_HOME/boxwright` or `~/.cache/boxwright` */
  cacheDir?: string;
  /** Debian mirror the root is bootstrapped from (also written into the root's sources.list). @default "http://deb.debian.org/debian" */
  mirror?: string;
  /** Mirror of `<suite>-security`; an empty string leaves security updates out. @default "http://deb.debian.org/debian-security" */
  securityMirror?: string;
  /** Debian suite. @default the release's ("bookworm", "trixie") */
  suite?: string;
  /** Package list of the root, a file of the scripts folder. @default the release's (`debian-12-packages.txt`, …) */
  packages?: string;
  /** Apt sources format of the root: `list` (sources.list) or `deb822` (sources.list.d/debian.sources). @default the release's */
  sourcesFormat?: SourcesFormat;
  /** Virtual size of the disk in MiB (the root filesystem fills it). @default 8192 */
  diskSize?: number;
  /** UUID of the root filesystem (fstab and the kernel's `root=` use it). @default "6b1c0d3e-5d2a-4c9b-9f0e-b0c5b0c5b0c5" */
  fsUuid?: string;
  /** Timestamp (seconds) for reproducible output: tar mtimes, filesystem times. @default 1735689600 (2025-01-01T00:00:00Z) */
  sourceDateEpoch?: number;
  /** Write a compressed qcow2 (smaller, slower to make). @default false */
  compress?: boolean;
  /** Rebuild even when a verified cache entry exists. @default false */
  force?: boolean;
  /** Folder holding `debian-rootfs.sh`, `debian-customize.sh`, the package lists and `make-disk.sh`. @default the `provisioners/base/` shipped with Boxwright */
  scriptsDir?: string;
  /** Check for root and the host tools before building. Only stand-in scripts (tests) turn it off. @default true */
  hostCheck?: boolean;
  /** Cancels the build: the scripts' process group is terminated and nothing is left in the cache. */
  signal?: AbortSignal;
  /** Receives progress lines (the scripts' output, and cache decisions). */
  onLog?: (line: string) => void;
}

/** A Debian base: a root filesystem tar and the bootable qcow2 made from it. */
export interface DebianBase {
  /** Absolute path of the root filesystem tar (for the chroot build kind). */
  rootfsTar: string;
  /** Absolute path of the bootable qcow2 disk (for the vm build kind). */
  disk: string;
  /** sha256 of `disk`, 64 hex digits. */
  sha256: string;
  /** sha256 of `rootfsTar`, 64 hex digits. */
  rootfsSha256: string;
  /** The base it is (`debian-12`, `debian-13`). */
  release: BaseName;
  /** Hash of everything the base is made from (scripts, package list, mirror, suite, disk settings). */
  recipeHash: string;
  /** True when the base came from the cache (after its checksums were verified). */
  cached: boolean;
  /** The cache entry folder. */
  dir: string;
  /** Build times in milliseconds (those of the original build when `cached`). */
  timings: { rootfsMs: number; diskMs: number };
}

/** What a cache entry records beside the files (`base.json`). */
interface EntryRecord {
  format: 1;
  os: BaseName;
  recipeHash: string;
  inputs: Record<string, string>;
  rootfs: { file: string; sha256: string; size: number };
  disk: { file: string; sha256: string; size: number };
  timings: { rootfsMs: number; diskMs: number };
}

const ROOTFS_FILE = 'rootfs.tar';
const DISK_FILE = 'disk.qcow2';
const RECORD_FILE = 'base.json';
/** Scripts that make every Debian base (others in the folder, e.g. chroot-exec.sh, do not). */
const ROOTFS_SCRIPT = 'debian-rootfs.sh';
const RECIPE_SCRIPTS = [ROOTFS_SCRIPT, 'debian-customize.sh', 'make-disk.sh'];
/** Files of the scripts folder that make a base: the scripts, its package list, `files/**`. */
const recipeFiles = (packages: string) => {
  const names = new Set([...RECIPE_SCRIPTS, packages]);
  return (rel: string): boolean => names.has(rel) || rel.startsWith('files/');
};
const HOST_TOOLS = ['mmdebstrap', 'qemu-img', 'mke2fs', 'sfdisk', 'extlinux', 'losetup', 'mount'];

/** Settings of a Debian base build with every default applied. */
interface Recipe {
  release: BaseName;
  suite: string;
  packages: string;
  sourcesFormat: SourcesFormat;
  mirror: string;
  securityMirror: string;
  diskSize: number;
  fsUuid: string;
  sourceDateEpoch: number;
  compress: boolean;
  scriptsDir: string;
}

function recipeOf(options: DebianBaseOptions): Recipe {
  const release = options.release ?? 'debian-12';
  if (!isMirrorBase(release)) {
    const names = Object.keys(BASES).filter(isMirrorBase).join(', ');
    throw new BoxwrightError('E_BASE', `release must be a base bootstrapped from a Debian mirror (${names}), got ${JSON.stringify(release)}`);
  }
  const row = BASES[release] as MirrorBaseRow;
  const recipe: Recipe = {
    release,
    suite: options.suite ?? row.suite,
    packages: options.packages ?? row.packages,
    sourcesFormat: options.sourcesFormat ?? row.sourcesFormat,
    mirror: options.mirror ?? row.mirror,
    securityMirror: options.securityMirror ?? row.securityMirror,
    diskSize: options.diskSize ?? 8192,
    fsUuid: options.fsUuid ?? '6b1c0d3e-5d2a-4c9b-9f0e-b0c5b0c5b0c5',
    sourceDateEpoch: options.sourceDateEpoch ?? 1735689600,
    compress: options.compress ?? false,
    scriptsDir: path.resolve(options.scriptsDir ?? baseScriptsDir()),
  };
  if (!/^https?:\/\/[^\s'"]+$/.test(recipe.mirror)) throw new BoxwrightError('E_BASE', `mirror must be an http(s) URL, got ${JSON.stringify(recipe.mirror)}`);
  if (recipe.securityMirror !== '' && !/^https?:\/\/[^\s'"]+$/.test(recipe.securityMirror)) {
    throw new BoxwrightError('E_BASE', `securityMirror must be an http(s) URL or empty, got ${JSON.stringify(recipe.securityMirror)}`);
  }
  if (!/^[a-z0-9][a-z0-9.-]*\.txt$/.test(recipe.packages)) throw new BoxwrightError('E_BASE', `packages must name a .txt file of the scripts folder, got ${JSON.stringify(recipe.packages)}`);
  if (recipe.sourcesFormat !== 'list' && recipe.sourcesFormat !== 'deb822') throw new BoxwrightError('E_BASE', `sourcesFormat must be "list" or "deb822", got ${JSON.stringify(recipe.sourcesFormat)}`);
  if (!/^[a-z][a-z0-9-]*$/.test(recipe.suite)) throw new BoxwrightError('E_BASE', `suite must be a Debian suite name, got ${JSON.stringify(recipe.suite)}`);
  if (!Number.isInteger(recipe.diskSize) || recipe.diskSize < 256) throw new BoxwrightError('E_BASE', `diskSize must be a whole number of MiB, at least 256 (got ${recipe.diskSize})`);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(recipe.fsUuid)) throw new BoxwrightError('E_BASE', `fsUuid must be a lowercase UUID, got ${JSON.stringify(recipe.fsUuid)}`);
  return recipe;
}

/**
 * The recipe hash of a Debian base: sha256 over the recipe files of the scripts folder
 * (`debian-rootfs.sh`, `debian-customize.sh`, `make-disk.sh`, the base's package list, `files/**`)
 * and the settings (suite, package list, sources format, mirrors, disk size, filesystem UUID,
 * timestamp). The release name only picks their defaults, so the plan's mirror row gives the same hash.
 * Same inputs, same hash; any change to a script or setting gives a new cache entry.
 */
export async function debianRecipeHash(options: DebianBaseOptions = {}): Promise<string> {
  const recipe = recipeOf(options);
  return hashRecipe(recipe.scriptsDir, [
    ['recipe', 'boxwright/debian/2'],
    ['suite', recipe.suite],
    ['packages', recipe.packages],
    ['sourcesFormat', recipe.sourcesFormat],
    ['mirror', recipe.mirror],
    ['securityMirror', recipe.securityMirror],
    ['diskSize', String(recipe.diskSize)],
    ['fsUuid', recipe.fsUuid],
    ['sourceDateEpoch', String(recipe.sourceDateEpoch)],
    ['compress', String(recipe.compress)],
  ], recipeFiles(recipe.packages));
}

/**
 * Make (or reuse from the cache) a Debian base (`options.release`, default `debian-12`):
 * `debian-rootfs.sh` bootstraps the root
 * from the mirror with mmdebstrap into a tar, `make-disk.sh` turns the tar into a bootable qcow2.
 *
 * A cache entry is reused only when its recorded sha256 of both files still matches them;
 * otherwise it is rebuilt. The build happens in a temporary folder beside the entry and is
 * renamed into place at the end, so a failure or an abort leaves no half-made entry.
 *
 * Needs root, mmdebstrap, qemu-utils, e2fsprogs, fdisk, extlinux and syslinux-common.
 *
 * @throws BoxwrightError `E_HOST` (not root, or a tool is missing), `E_BASE` (a script failed),
 *   `E_CANCELLED` (the signal aborted).
 */
export async function ensureDebianBase(options: DebianBaseOptions = {}): Promise<DebianBase> {
  const recipe = recipeOf(options);
  const log = options.onLog ?? (() => {});
  const recipeHash = await debianRecipeHash(options);
  const baseDir = path.join(path.resolve(options.cacheDir ?? defaultCacheDir()), 'base');
  const entry = path.join(baseDir, `${recipe.release}-${recipeHash}`);

  if (!options.force) {
    const reused = await verifyEntry(entry, recipeHash, recipe.release, log);
    if (reused) return reused;
  }
  if (options.hostCheck ?? true) await checkHost();
  if (options.signal?.aborted) throw new BoxwrightError('E_CANCELLED', 'the base disk build was cancelled', { cause: options.signal.reason });

  await mkdir(baseDir, { recursive: true });
  // One build per entry at a time: a second caller waits, then finds the entry made.
  const release = await acquireMutex(`${entry}.lock`, {
    ...(options.signal ? { signal: options.signal } : {}),
    onWait: (owner) => log(`base: waiting for the build of process ${owner.pid}`),
  });
  try {
    if (!options.force) {
      const reused = await verifyEntry(entry, recipeHash, recipe.release, () => {});
      if (reused) return reused;
    }
    return await buildEntry(entry, baseDir, recipeHash, recipe, options, log);
  } finally {
    await release();
  }
}

async function buildEntry(
  entry: string,
  baseDir: string,
  recipeHash: string,
  recipe: Recipe,
  options: DebianBaseOptions,
  log: (line: string) => void,
): Promise<DebianBase> {
  const temp = path.join(baseDir, `.tmp-${recipe.release}-${recipeHash.slice(0, 12)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(path.join(temp, 'work'), { recursive: true });
  log(`base: building ${recipe.release} (${recipe.suite}) ${recipeHash.slice(0, 12)} in ${temp}`);
  try {
    const env = { SOURCE_DATE_EPOCH: String(recipe.sourceDateEpoch), TMPDIR: path.join(temp, 'work'), LC_ALL: 'C.UTF-8' };
    const run = { cwd: temp, env, onLog: log, ...(options.signal ? { signal: options.signal } : {}) };

    let started = Date.now();
    const rootfsArgs = ['--output', path.join(temp, ROOTFS_FILE), '--mirror', recipe.mirror, '--security-mirror', recipe.securityMirror, '--suite', recipe.suite,
      '--packages', path.join(recipe.scriptsDir, recipe.packages), '--sources-format', recipe.sourcesFormat];
    await runStep('rootfs', path.join(recipe.scriptsDir, ROOTFS_SCRIPT), rootfsArgs, run);
    const rootfsMs = Date.now() - started;
    log(`base: rootfs done in ${(rootfsMs / 1000).toFixed(1)} s`);

    started = Date.now();
    const diskArgs = ['--tar', path.join(temp, ROOTFS_FILE), '--output', path.join(temp, DISK_FILE), '--size', String(recipe.diskSize), '--uuid', recipe.fsUuid];
    if (recipe.compress) diskArgs.push('--compress');
    await runStep('disk', path.join(recipe.scriptsDir, 'make-disk.sh'), diskArgs, run);
    const diskMs = Date.now() - started;
    log(`base: disk done in ${(diskMs / 1000).toFixed(1)} s`);

    await removeBuildDir(path.join(temp, 'work'));
    const record: EntryRecord = {
      format: 1,
      os: recipe.release,
      recipeHash,
      inputs: {
        suite: recipe.suite,
        packages: recipe.packages,
        sourcesFormat: recipe.sourcesFormat,
        mirror: recipe.mirror,
        securityMirror: recipe.securityMirror,
        diskSize: String(recipe.diskSize),
        fsUuid: recipe.fsUuid,
        sourceDateEpoch: String(recipe.sourceDateEpoch),
      },
      rootfs: await describe(temp, ROOTFS_FILE),
      disk: await describe(temp, DISK_FILE),
      timings: { rootfsMs, diskMs },
    };
    await writeFile(path.join(temp, RECORD_FILE), JSON.stringify(record, null, 2) + '\n');
    if (options.signal?.aborted) throw new BoxwrightError('E_CANCELLED', 'the base disk build was cancelled', { cause: options.signal.reason });

    await removeBuildDir(entry); // a stale or corrupt entry (forced rebuild)
    await rename(temp, entry);
    log(`base: cached ${entry}`);
    return resultOf(entry, record, false);
  } catch (error) {
    await removeBuildDir(temp).catch((cleanupError: unknown) => log(`base: could not remove ${temp}: ${String(cleanupError)}`));
    throw error;
  }
}

async function runStep(name: string, script: string, args: string[], run: Parameters<typeof runLogged>[2]): Promise<void> {
  let result;
  try {
    result = await runLogged(script, args, run);
  } catch (error) {
    if (isBoxwrightError(error)) throw error;
    throw new BoxwrightError('E_BASE', `the ${name} step of the Debian base failed to start: ${String(error)}`, { cause: error });
  }
  if (result.exitCode === 0) return;
  const tail = result.tail.slice(-12).join('\n');
  if (result.exitCode === 3) {
    throw new BoxwrightError('E_HOST', `the host lacks a tool for the Debian base: apt-get install mmdebstrap qemu-utils e2fsprogs fdisk extlinux syslinux-common\n${tail}`);
  }
  throw new BoxwrightError('E_BASE', `the ${name} step of the Debian base failed (exit ${result.exitCode}); last output:\n${tail}`, {
    cause: { script, args, exitCode: result.exitCode, tail: result.tail },
  });
}

async function describe(dir: string, file: string): Promise<{ file: string; sha256: string; size: number }> {
  const full = path.join(dir, file);
  return { file, sha256: await sha256File(full), size: (await stat(full)).size };
}

function resultOf(entry: string, record: EntryRecord, cached: boolean): DebianBase {
  return {
    rootfsTar: path.join(entry, record.rootfs.file),
    disk: path.join(entry, record.disk.file),
    sha256: record.disk.sha256,
    rootfsSha256: record.rootfs.sha256,
    release: record.os,
    recipeHash: record.recipeHash,
    cached,
    dir: entry,
    timings: record.timings,
  };
}

/** The entry when its record and both files' sha256 match; else removes it and returns undefined. */
async function verifyEntry(entry: string, recipeHash: string, release: BaseName, log: (line: string) => void): Promise<DebianBase | undefined> {
  let record: EntryRecord;
  try {
    record = JSON.parse(await readFile(path.join(entry, RECORD_FILE), 'utf8')) as EntryRecord;
  } catch {
    if (await exists(entry)) {
      log(`base: cache entry ${entry} has no readable record; rebuilding`);
      await removeBuildDir(entry);
    } else {
      log(`base: cache miss ${recipeHash.slice(0, 12)}`);
    }
    return undefined;
  }
  const problems: string[] = [];
  if (record.format !== 1 || record.recipeHash !== recipeHash || record.os !== release) problems.push('record does not match the recipe');
  for (const part of [record.rootfs, record.disk]) {
    if (problems.length > 0) break;
    const full = path.join(entry, part?.file ?? '');
    try {
      if ((await stat(full)).size !== part.size || (await sha256File(full)) !== part.sha256) problems.push(`${part.file}: sha256 differs from the record`);
    } catch {
      problems.push(`${part?.file ?? '?'} is missing`);
    }
  }
  if (problems.length > 0) {
    log(`base: cache entry ${entry} is damaged (${problems.join('; ')}); rebuilding`);
    await removeBuildDir(entry);
    return undefined;
  }
  log(`base: cache hit ${recipeHash.slice(0, 12)} (checksums verified)`);
  return resultOf(entry, record, true);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Throws `E_HOST` unless we are root and every host tool is on the PATH (or in /sbin, /usr/sbin). */
async function checkHost(): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new BoxwrightError('E_HOST', 'building the Debian base needs root (mmdebstrap --mode=root and one loop mount): run as root, or use the ubuntu-24.04 base');
  }
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean);
  const missing: string[] = [];
  for (const tool of HOST_TOOLS) {
    let found = false;
    for (const dir of dirs) {
      try {
        await access(path.join(dir, tool), constants.X_OK);
        found = true;
        break;
      } catch {
        // keep looking
      }
    }
    if (!found) missing.push(tool);
  }
  if (missing.length > 0) {
    throw new BoxwrightError(
      'E_HOST',
      `missing host tools for the Debian base: ${missing.join(', ')}. Fix: apt-get install mmdebstrap qemu-utils e2fsprogs fdisk extlinux syslinux-common mount`,
    );
  }
}
