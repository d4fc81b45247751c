/**
 * Where the base disk of a build comes from: a Debian 12 or 13 root bootstrapped from the mirror
 * (built and cached here), a pinned Ubuntu 24.04 cloud image, or a custom image.
 */
import path from 'node:path';
import { BoxwrightError } from '../errors.js';
import type { BaseName, ImageSpec } from '../image/types.js';
import { BASES } from '../plan/bases.js';
import { SHA256_HEX } from '../util/hash.js';
import { ensureDebianBase, type DebianBaseOptions } from './debian.js';

export { ensureDebianBase, debianRecipeHash, type DebianBase, type DebianBaseOptions } from './debian.js';
export { ubuntuSeed, vagrantInsecurePublicKey, UBUNTU_2404, type NoCloudSeed, type UbuntuSeedOptions } from './ubuntu.js';
export { defaultCacheDir, baseScriptsDir } from './paths.js';
export { findVagrantInsecurePrivateKey } from './keys.js';

/** A base disk ready to hand to Packer. */
export interface ResolvedBase {
  /** OS family of the disk (picks the provisioners). */
  os: BaseName;
  /** `mirror`: built here from the Debian mirror; `cloud-image`: Canonical's; `custom`: the spec's. */
  source: 'mirror' | 'cloud-image' | 'custom';
  /** Absolute file path or http(s) URL of the qcow2 (Packer `iso_url` with `disk_image = true`). */
  diskPathOrUrl: string;
  /** Packer `iso_checksum`: `sha256:<hex>` or `file:<SHA256SUMS url>`. */
  checksum: string;
  /** Root filesystem tar, only for `mirror` bases (the chroot build kind needs it). */
  rootfsTar?: string;
  /** Recipe hash of a `mirror` base (part of the build's inputs). */
  recipeHash?: string;
  /** True when a `mirror` base came from the cache. */
  cached?: boolean;
}

/** Options of {@link resolveBase}: those of the Debian base build (mirror bases only; the release is the spec's base). */
export type ResolveBaseOptions = Omit<DebianBaseOptions, 'release'>;

/**
 * Resolve the spec's base to a disk Packer can boot. A mirror base (`debian-12`, `debian-13`) builds (or reuses) the mirror
 * base with {@link ensureDebianBase}; its disk size follows `spec.vm.diskSize` unless
 * `options.diskSize` is given. `ubuntu-24.04` and custom bases are only described: Packer
 * downloads and checks them, nothing is fetched here.
 *
 * @throws BoxwrightError `E_SPEC_INVALID` (path `base`) for a malformed custom base; see
 *   {@link ensureDebianBase} for the Debian errors.
 */
export async function resolveBase(
  spec: Pick<ImageSpec, 'base' | 'dir'> & { vm?: Partial<ImageSpec['vm']> },
  options: ResolveBaseOptions = {},
): Promise<ResolvedBase> {
  const base = spec.base;
  if (typeof base === 'string' && Object.hasOwn(BASES, base)) {
    const row = BASES[base];
    if (row.source === 'cloud-image') return { os: base, source: 'cloud-image', diskPathOrUrl: row.url, checksum: `sha256:${row.sha256}` };
    const diskSize = options.diskSize ?? spec.vm?.diskSize;
    // The row's mirror and suite unless the caller names others.
    const built = await ensureDebianBase({
      release: base, mirror: row.mirror, securityMirror: row.securityMirror, suite: row.suite, packages: row.packages, sourcesFormat: row.sourcesFormat,
      ...options, ...(diskSize === undefined ? {} : { diskSize }),
    });
    return {
      os: base,
      source: 'mirror',
      diskPathOrUrl: built.disk,
      checksum: `sha256:${built.sha256}`,
      rootfsTar: built.rootfsTar,
      recipeHash: built.recipeHash,
      cached: built.cached,
    };
  }
  if (typeof base !== 'object' || base === null || typeof base.image !== 'string' || base.image === '') {
    throw new BoxwrightError('E_SPEC_INVALID', `base must be one of ${Object.keys(BASES).map((name) => JSON.stringify(name)).join(', ')} or { image, sha256 }`, { path: 'base' });
  }
  if (typeof base.sha256 !== 'string' || !SHA256_HEX.test(base.sha256.toLowerCase())) {
    throw new BoxwrightError('E_SPEC_INVALID', 'base.sha256 must be the 64 hex digits of the image sha256 (sha256sum IMAGE)', { path: 'base.sha256' });
  }
  const os = base.os ?? 'debian-12';
  if (!Object.hasOwn(BASES, os)) {
    throw new BoxwrightError('E_SPEC_INVALID', `base.os must be one of ${Object.keys(BASES).map((name) => JSON.stringify(name)).join(', ')}, got ${JSON.stringify(os)}`, { path: 'base.os' });
  }
  const isUrl = /^https?:\/\//i.test(base.image);
  const diskPathOrUrl = isUrl ? base.image : path.resolve(spec.dir, base.image);
  return { os, source: 'custom', diskPathOrUrl, checksum: `sha256:${base.sha256.toLowerCase()}` };
}
