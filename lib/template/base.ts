import type { BaseName, ImageSpec } from '../spec/types.js';
import { BUILD_LAYOUT, type TemplateBase } from './plan.js';

/**
 * Ubuntu 24.04 (noble) cloud image, pinned to a dated release folder (immutable, unlike `release/`).
 * The qcow2 digest was read from a public pin of this exact file (a project pinning
 * `release-20260926/ubuntu-24.04-server-cloudimg-amd64.img`); it could not be downloaded from these
 * machines to re-check. Packer verifies it at download. The .ova digest was not readable here, so it is
 * checked against the folder's SHA256SUMS; `boxwright lock` pins it where the image is reachable.
 */
export const UBUNTU_NOBLE = {
  release: '20260926',
  diskUrl: 'https://cloud-images.ubuntu.com/releases/noble/release-20260926/ubuntu-24.04-server-cloudimg-amd64.img',
  diskChecksum: 'sha256:6a81c37564db9b1ee84e141922625e1d7c5b389b99bb3c572e0243607d5bb4d2',
  ovaUrl: 'https://cloud-images.ubuntu.com/releases/noble/release-20260926/ubuntu-24.04-server-cloudimg-amd64.ova',
  ovaChecksum: 'file:https://cloud-images.ubuntu.com/releases/noble/release-20260926/SHA256SUMS',
} as const;

/** Paths (relative to the build folder) where the build links the mirror-bootstrapped base. */
export function mirrorBasePaths(os: BaseName): { disk: string; diskSha256: string; rootfsTar: string } {
  const stem = `${BUILD_LAYOUT.base}/${os}`;
  return { disk: `${stem}.qcow2`, diskSha256: `${stem}.qcow2.sha256`, rootfsTar: `${stem}.rootfs.tar` };
}

/**
 * Where the template takes its base disk from. Pure: nothing is downloaded or built here.
 * - debian-12 (mirror): files the build links into `base/` from the base cache, checked by a sha256 file;
 * - ubuntu-24.04: Canonical's dated cloud image (qcow2 for qemu, .ova for VirtualBox), pinned;
 * - custom: the spec's image and sha256.
 */
export function templateBase(spec: ImageSpec, baseOverride?: BaseName): TemplateBase {
  const base = baseOverride ?? spec.base;
  if (base === 'debian-12') {
    const paths = mirrorBasePaths('debian-12');
    return {
      os: 'debian-12', source: 'mirror',
      diskUrl: paths.disk, checksum: `file:${paths.diskSha256}`,
      ovfUrl: `${BUILD_LAYOUT.base}/debian-12.ova`, ovfChecksum: `file:${BUILD_LAYOUT.base}/debian-12.ova.sha256`,
      rootfsTar: paths.rootfsTar,
    };
  }
  if (base === 'ubuntu-24.04') {
    return {
      os: 'ubuntu-24.04', source: 'cloud-image',
      diskUrl: UBUNTU_NOBLE.diskUrl, checksum: UBUNTU_NOBLE.diskChecksum,
      ovfUrl: UBUNTU_NOBLE.ovaUrl, ovfChecksum: UBUNTU_NOBLE.ovaChecksum,
    };
  }
  const image = /^https?:\/\//.test(base.image) ? base.image : new URL(base.image, `file://${spec.dir}/`).pathname;
  return {
    os: base.os ?? 'debian-12', source: 'custom',
    diskUrl: image, checksum: `sha256:${base.sha256}`,
    ovfUrl: image, ovfChecksum: `sha256:${base.sha256}`,
  };
}
