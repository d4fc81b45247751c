import type { BaseName, ImageSpec } from '../image/types.js';
import path from 'node:path';
import { UBUNTU_2404 } from '../base/ubuntu.js';
import { BUILD_LAYOUT, type TemplateBase } from './plan.js';

/** The Ubuntu .ova beside the pinned cloud image (VirtualBox), checked against the folder's SHA256SUMS. */
const UBUNTU_OVA = UBUNTU_2404.url.replace(/\.img$/, '.ova');

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
      diskUrl: UBUNTU_2404.url, checksum: `sha256:${UBUNTU_2404.sha256}`,
      ovfUrl: UBUNTU_OVA, ovfChecksum: `file:${UBUNTU_2404.checksumUrl}`,
    };
  }
  const image = /^https?:\/\//.test(base.image) ? base.image : path.resolve(spec.dir, base.image);
  return {
    os: base.os ?? 'debian-12', source: 'custom',
    diskUrl: image, checksum: `sha256:${base.sha256}`,
    ovfUrl: image, ovfChecksum: `sha256:${base.sha256}`,
  };
}
