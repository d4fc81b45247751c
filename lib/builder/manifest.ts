import type { BaseName, ImageSpec, Provider } from '../image/types.js';
import type { InstalledPackage } from './package-list.js';
import type { Lock } from '../lock/types.js';

/** File name of the build manifest in outDir. */
export const MANIFEST_FILE = 'build-manifest.json';

/** What `build-manifest.json` records about a build. */
export interface BuildManifest {
  /** Manifest format version. */
  format: 1;
  name: string;
  version: string;
  provider: Provider;
  kind: 'vm' | 'chroot';
  accelerator: 'kvm' | 'tcg';
  /** Cache key: render hash + base identity + packer version. */
  inputsHash: string;
  /** Hash of the rendered build folder alone. */
  renderHash: string;
  packerVersion: string;
  base: { os: BaseName; source: 'mirror' | 'cloud-image' | 'custom'; disk: string; checksum: string; recipeHash?: string };
  box: { file: string; sha256: string; size: number };
  /** The image's boxwright.lock.json the build was checked against, or null when it has none. */
  lock: Lock | null;
  /** Milliseconds per phase, plus `totalMs`. */
  timings: Record<string, number>;
  /** Packages installed in the image (dpkg-query), sorted by name. */
  packages: InstalledPackage[];
  /** The Node app's production dependencies (name → version). */
  app: { dependencies: Record<string, string> };
  /** The validated spec (without its host folder). */
  spec: Omit<ImageSpec, 'dir'>;
  /** ISO time the build finished. */
  builtAt: string;
}
