import type { BaseName, BuildKind, Provider } from '../image/types.js';
import type { BuildPlan } from '../plan/plan.js';

/** File name of the lock file, written beside image.json. */
export const LOCK_FILE = 'boxwright.lock.json';

/** Format version of {@link Lock}. */
export const LOCK_FORMAT = 1;

/** What `recipeHash`, the mirror and its Release dates pin for a base bootstrapped from the Debian mirror. */
export interface MirrorBaseLock {
  /** A mirror row of the base table (lib/plan/bases.ts). */
  os: BaseName;
  source: 'mirror';
  /** `debianRecipeHash` of the base (scripts, package list, mirror, suite, disk settings). */
  recipeHash: string;
  /** Debian mirror the base and the guest's apt use. */
  mirror: string;
  suite: string;
  /** `Date:` of `<mirror>/dists/<suite>/Release`, ISO 8601 (UTC). Moves when the mirror moves. */
  mirrorReleaseDate: string;
  /** Security mirror, or `""` when the base leaves security updates out. */
  securityMirror: string;
  /** `<suite>-security`. */
  securitySuite: string;
  /** `Date:` of `<securityMirror>/dists/<suite>-security/Release`, ISO 8601; `""` without a security mirror. */
  securityReleaseDate: string;
}

/** What pins Canonical's Ubuntu 24.04 cloud image (see `UBUNTU_2404` in lib/base/ubuntu.ts). */
export interface CloudImageBaseLock {
  /** A cloud-image row of the base table (lib/plan/bases.ts). */
  os: BaseName;
  source: 'cloud-image';
  /** The qcow2 cloud image, in its dated (immutable) release folder. */
  url: string;
  /** sha256 of the image, 64 hex digits. */
  sha256: string;
  /** The dated release folder, e.g. `release-20251213`. */
  release: string;
  /** SHA256SUMS of the dated folder (the .ova for VirtualBox is checked against it). */
  checksumUrl: string;
  /**
   * The Ubuntu apt snapshot matching the cloud image's date
   * (`https://snapshot.ubuntu.com/ubuntu/<YYYYMMDD>T000000Z`). Derived, not read: see {@link aptSnapshotNote}.
   */
  aptSnapshot: string;
  /** Says how `aptSnapshot` was obtained (planned, not verified, where snapshot.ubuntu.com is unreachable). */
  aptSnapshotNote: string;
}

/** A custom base image from the spec. */
export interface CustomBaseLock {
  os: BaseName;
  source: 'custom';
  /** The spec's `base.image` as written (URL or path relative to the image folder). */
  image: string;
  /** The spec's `base.sha256`, lowercase. */
  sha256: string;
}

/** The base part of a {@link Lock}. */
export type BaseLock = MirrorBaseLock | CloudImageBaseLock | CustomBaseLock;

/**
 * `boxwright.lock.json`: every input of a build resolved to an exact value, without building
 * anything. Provider- and kind-independent: one lock serves libvirt and VirtualBox builds of the
 * same base (their inputs are the same: the same recipe, or the same dated cloud-image folder).
 */
export interface Lock {
  /** {@link LOCK_FORMAT}. */
  format: 1;
  base: BaseLock;
  packer: {
    /** `packer version`, semver. */
    version: string;
    /** Plugins pinned in `required_plugins` (empty for packer < 1.7, which bundles them). */
    plugins: Record<string, string>;
  };
  guest: {
    /**
     * Version of the `nodejs` package the guest's apt will install (the candidate from the
     * base's sources), or `unknown (...)` where those sources cannot be read from this machine.
     */
    nodejs: string;
    /** The apt sources the candidate was read from (one `deb` line each); empty when unknown. */
    nodejsSources: string[];
  };
  app: {
    /** `app.source` of the spec. */
    source: string;
    /** sha256 of the app's own files (node_modules and .git left out): the app bundle's cache key. */
    sourceHash: string;
    /** `lockfileVersion` of the app's package-lock.json; null without a package-lock.json. */
    lockfileVersion: number | null;
    /** The app's direct dependencies (dependencies + optionalDependencies) → the version the lock resolves. */
    dependencies: Record<string, string>;
  };
}

/** Options of `resolveLock` and `checkLock`. */
export interface ResolveLockOptions {
  /** Overrides spec.base with a known base name (as `build --base`). */
  base?: BaseName;
  /** Provider of the build; only checked against the spec (the lock does not depend on it). @default spec.providers[0] */
  provider?: Provider;
  /** Build kind; only checked for feasibility (the lock does not depend on it). @default spec.build.kind */
  kind?: BuildKind;
  /** Path of the packer binary. @default `$PACKER_PATH` or `packer` on PATH */
  packerPath?: string;
  /** Cache folder (the private apt lists used to read the guest's nodejs candidate). @default ~/.cache/boxwright */
  cacheDir?: string;
  /** Cancels the network reads and the apt run. */
  signal?: AbortSignal;
  /**
   * The build's plan, made with the detected packer's features: a build hands it over so the lock
   * neither plans nor runs `packer version` again (then base, provider, kind and packerPath are not read).
   */
  plan?: BuildPlan;
}

/** One field that differs between the lock file and the resolved inputs. */
export interface LockMismatch {
  /** Dotted path of the field, e.g. `base.recipeHash` or `app.dependencies.mysql2`. */
  path: string;
  /** Value in the lock file (`undefined` when the field is new). */
  expected: unknown;
  /** Value resolved now (`undefined` when the field is gone). */
  actual: unknown;
}
