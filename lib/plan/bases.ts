import path from 'node:path';
import type { BaseName, ImageSpec } from '../image/types.js';
import { mirrorBasePaths } from './layout.js';

/**
 * The pinned Ubuntu 24.04 (noble) cloud image: a dated release folder of cloud-images.ubuntu.com
 * (dated folders are immutable; `release/` and `current/` move).
 *
 * Provenance: the folder name `release-20251213` and the sha256 below could not be read from
 * Canonical here (these machines reach only the Debian mirror). They were found with the code
 * search in three independent public repositories that pin exactly this URL with exactly this
 * digest. It is therefore pinned as `sha256:<hex>`; `boxwright lock` on a machine that can reach
 * Canonical should confirm it against the folder's SHA256SUMS ({@link UBUNTU_2404.checksumUrl}).
 * Canonical moves old folders to cloud-images-archive.ubuntu.com after some months: when the URL
 * stops answering, bump the date (and the digest) or point the lock at the archive host.
 */
export const UBUNTU_2404 = {
  release: '20251213',
  url: 'https://cloud-images.ubuntu.com/releases/noble/release-20251213/ubuntu-24.04-server-cloudimg-amd64.img',
  sha256: '2b5f90ffe8180def601c021c874e55d8303e8bcbfc66fee2b94414f43ac5eb1f',
  checksumUrl: 'https://cloud-images.ubuntu.com/releases/noble/release-20251213/SHA256SUMS',
} as const;

/** How a Debian root's own apt sources are written. */
/** A base bootstrapped from the Debian mirror (a `debian-*` row of {@link BASES}). */
export type DebianBaseName = Extract<BaseName, `debian-${string}`>;

export type SourcesFormat = 'list' | 'deb822';

/** Where a Debian base is bootstrapped from (mmdebstrap), what it holds, and where its guest's apt points. */
export interface MirrorSource {
  /** Debian mirror. */
  mirror: string;
  /** Mirror of `<suite>-security`; `""` leaves security updates out. */
  securityMirror: string;
  /** Debian suite, e.g. `bookworm`, `trixie`. */
  suite: string;
  /** Package list of the base root, a file of `provisioners/base/`. */
  packages: string;
  /**
   * Apt sources format in the root: `list` (one-line `/etc/apt/sources.list`, Debian 12) or
   * `deb822` (`/etc/apt/sources.list.d/debian.sources`, the default from Debian 13 on).
   */
  sourcesFormat: SourcesFormat;
}

/** A base bootstrapped here from a distro mirror. */
export interface MirrorBaseRow extends MirrorSource {
  source: 'mirror';
  family: 'debian';
}

/** A base published as a cloud image (qcow2 for qemu, .ova for VirtualBox). */
export interface CloudImageBaseRow {
  source: 'cloud-image';
  family: 'ubuntu';
  /** The release folder's date, `YYYYMMDD`. */
  release: string;
  url: string;
  sha256: string;
  checksumUrl: string;
  /** The .ova beside the image (VirtualBox), checked against the folder's SHA256SUMS. */
  ovaUrl: string;
}

/** One row of {@link BASES}. */
export type BaseRow = MirrorBaseRow | CloudImageBaseRow;

/**
 * Every known base, one row each: the only place a base name is mapped to its source, OS family,
 * mirror and suite (or pinned image). A further Debian release is one more `mirror` row.
 */
export const BASES: { readonly [name in BaseName]: BaseRow } = {
  'debian-12': {
    source: 'mirror', family: 'debian',
    mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security', suite: 'bookworm',
    packages: 'debian-12-packages.txt', sourcesFormat: 'list',
  },
  // Debian 13, the current stable release (MariaDB 11.8, nginx 1.26, nodejs 20). Bookworm's
  // mmdebstrap and debian-archive-keyring bootstrap it on a Debian 12 host too.
  'debian-13': {
    source: 'mirror', family: 'debian',
    mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security', suite: 'trixie',
    packages: 'debian-13-packages.txt', sourcesFormat: 'deb822',
  },
  'ubuntu-24.04': {
    source: 'cloud-image', family: 'ubuntu',
    release: UBUNTU_2404.release, url: UBUNTU_2404.url, sha256: UBUNTU_2404.sha256, checksumUrl: UBUNTU_2404.checksumUrl,
    ovaUrl: UBUNTU_2404.url.replace(/\.img$/, '.ova'),
  },
};

/** Base names bootstrapped here from a Debian mirror (the rows with `source: 'mirror'`). */
export function isMirrorBase(os: unknown): os is BaseName {
  return typeof os === 'string' && Object.hasOwn(BASES, os) && BASES[os as BaseName].source === 'mirror';
}

/** The OS family of a base name (picks package names and provisioner branches). */
export function familyOf(os: BaseName): 'debian' | 'ubuntu' {
  return BASES[os].family;
}

/** Where the base disk of a build comes from, as the plan hands it to template, lock and base. */
export interface PlannedBase {
  /** OS of the base (a known base name; a custom image names the one it is). */
  os: BaseName;
  family: 'debian' | 'ubuntu';
  /** `mirror`: bootstrapped here with mmdebstrap; `cloud-image`: a published image; `custom`: the spec's image. */
  source: 'mirror' | 'cloud-image' | 'custom';
  /** Disk image for the qemu source: URL, absolute path, or a path relative to the build folder. */
  diskPathOrUrl: string;
  /** Packer checksum string: `sha256:<hex>`, `file:<url or path>` or `none`. */
  checksum: string;
  /** OVA/OVF for the virtualbox-ovf source (same rules as diskPathOrUrl). */
  ovfPathOrUrl: string;
  /** Packer checksum string for ovfPathOrUrl. */
  ovfChecksum: string;
  /** Root filesystem tarball for the chroot kind, relative to the build folder (mirror bases). */
  rootfsTar?: string;
  /** Mirror, security mirror and suite (mirror bases only). */
  mirror?: MirrorSource;
}

/**
 * The planned base of a spec (or of `override`). Pure: nothing is downloaded or built.
 * - a mirror row: files the build links into `base/` from the base cache, checked by a sha256 file;
 * - a cloud-image row: the pinned dated image (qcow2 for qemu, .ova for VirtualBox) with its digest;
 * - custom: the spec's image (a path resolves against the image folder) and sha256.
 */
export function planBase(spec: Pick<ImageSpec, 'base' | 'dir'>, override?: BaseName): PlannedBase {
  const base = override ?? spec.base;
  if (typeof base === 'string') {
    const row = BASES[base];
    if (row.source === 'mirror') {
      const paths = mirrorBasePaths(base);
      return {
        os: base, family: row.family, source: 'mirror',
        diskPathOrUrl: paths.disk, checksum: `file:${paths.diskSha256}`,
        ovfPathOrUrl: paths.disk.replace(/\.qcow2$/, '.ova'), ovfChecksum: `file:${paths.disk.replace(/\.qcow2$/, '.ova')}.sha256`,
        rootfsTar: paths.rootfsTar,
        mirror: { mirror: row.mirror, securityMirror: row.securityMirror, suite: row.suite, packages: row.packages, sourcesFormat: row.sourcesFormat },
      };
    }
    return {
      os: base, family: row.family, source: 'cloud-image',
      diskPathOrUrl: row.url, checksum: `sha256:${row.sha256}`,
      ovfPathOrUrl: row.ovaUrl, ovfChecksum: `file:${row.checksumUrl}`,
    };
  }
  const image = /^https?:\/\//.test(base.image) ? base.image : path.resolve(spec.dir, base.image);
  const os = base.os ?? 'debian-12';
  return {
    os, family: familyOf(os), source: 'custom',
    diskPathOrUrl: image, checksum: `sha256:${base.sha256}`,
    ovfPathOrUrl: image, ovfChecksum: `sha256:${base.sha256}`,
  };
}
