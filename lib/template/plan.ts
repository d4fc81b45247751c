import type { PackerCapabilities } from '../packer/capabilities.js';
import type { BaseName, ImageSpec, Provider } from '../image/types.js';

/** Where the base disk of a build comes from, as the template needs it. */
export interface TemplateBase {
  /** OS family. */
  os: BaseName;
  /** `mirror`: bootstrapped here with mmdebstrap; `cloud-image`: a published image; `custom`: the spec's image. */
  source: 'mirror' | 'cloud-image' | 'custom';
  /** Disk image for the qemu source: URL, absolute path, or a path relative to the build folder. */
  diskUrl: string;
  /** Packer checksum string: `sha256:<hex>`, `file:<url or path>` or `none`. */
  checksum: string;
  /** OVA/OVF for the virtualbox-ovf source (same rules as diskUrl). */
  ovfUrl: string;
  /** Packer checksum string for ovfUrl. */
  ovfChecksum: string;
  /** Root filesystem tarball for the chroot kind, relative to the build folder. */
  rootfsTar?: string;
}

/** What the template composer needs to know of the installed packer (see lib/packer/capabilities.ts). */
export type PackerFeatures = Pick<PackerCapabilities, 'version' | 'requiredPlugins' | 'plugins'>;

/** Everything the pure template composer needs. */
export interface BuildPlan {
  spec: ImageSpec;
  provider: Provider;
  kind: 'vm' | 'chroot';
  /** QEMU accelerator chosen for this host (never `auto` here). */
  accelerator: 'kvm' | 'tcg';
  base: TemplateBase;
  packer: PackerFeatures;
  /** Provisioner script paths relative to the build folder, in run order. */
  scripts: readonly string[];
}

/** Packer 1.6.6 as shipped by Debian 12: everything bundled, no required_plugins. */
export const PACKER_1_6_6: PackerFeatures = { version: '1.6.6', requiredPlugins: false, plugins: {} };

/** Relative paths inside a build folder, shared by render, template and build. */
export const BUILD_LAYOUT = {
  template: 'build.pkr.json',
  scripts: 'scripts',
  files: 'files',
  appBundle: 'app.tar.gz',
  seed: 'seed',
  keys: 'keys',
  insecureKey: 'keys/vagrant_insecure_key',
  helpers: 'helpers',
  output: 'output',
  artifacts: 'artifacts',
  packageList: 'artifacts/packages.tsv',
  inputsHash: 'inputs.sha256',
  base: 'base',
} as const;

/** Box file name: `<name>-<version>.<provider>.box`. */
export function boxFileName(spec: Pick<ImageSpec, 'name' | 'version'>, provider: Provider): string {
  return `${spec.name}-${spec.version}.${provider}.box`;
}

/** Scripts that only make sense in a booted VM (zeroing free space of a live disk). */
export function isCleanupScript(script: string): boolean {
  return /(^|\/)9[0-9]-/.test(script);
}
