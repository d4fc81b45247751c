import type { BaseName, ImageSpec, Provider } from '../image/types.js';

/**
 * Relative paths inside a build folder: the one list render writes, the template refers to and the
 * builder reads back. A render folder holds nothing but these top-level entries (see {@link RENDER_ENTRIES}).
 */
export const BUILD_LAYOUT = {
  template: 'build.pkr.json',
  /** What a render records about itself (plan summary, app source hash). */
  record: 'boxwright.json',
  scripts: 'scripts',
  files: 'files',
  appBundle: 'app.tar.gz',
  seed: 'seed',
  keys: 'keys',
  insecureKey: 'keys/vagrant_insecure_key',
  helpers: 'helpers',
  output: 'output',
  /** QEMU's serial console log (VM kind). */
  serialLog: 'output-serial.log',
  artifacts: 'artifacts',
  packageList: 'artifacts/packages.tsv',
  inputsHash: 'inputs.sha256',
  base: 'base',
} as const;

/**
 * Top-level names a render or a packer run in the build folder may leave (packer's own
 * `packer_cache` included). Anything else in a folder is someone's file.
 */
export const RENDER_ENTRIES: ReadonlySet<string> = new Set([
  ...Object.values(BUILD_LAYOUT).map((relative) => relative.split('/')[0]!),
  'packer_cache',
]);

/** Paths inside the guest (or the chroot) during provisioning. */
export const GUEST_PATHS = {
  /** Where the build uploads `files/` and the app bundle. */
  staging: '/tmp/boxwright',
  /** Where the app bundle is unpacked. */
  app: '/opt/app',
  /** The installed-package list (`name<TAB>version<TAB>arch`), written once by the cleanup phase. */
  packageList: '/var/lib/boxwright/packages.tsv',
} as const;

/** Box file name: `<name>-<version>.<provider>.box`. */
export function boxFileName(spec: Pick<ImageSpec, 'name' | 'version'>, provider: Provider): string {
  return `${spec.name}-${spec.version}.${provider}.box`;
}

/** Paths (relative to the build folder) where the build links a mirror-bootstrapped base. */
export function mirrorBasePaths(os: BaseName): { disk: string; diskSha256: string; rootfsTar: string } {
  const stem = `${BUILD_LAYOUT.base}/${os}`;
  return { disk: `${stem}.qcow2`, diskSha256: `${stem}.qcow2.sha256`, rootfsTar: `${stem}.rootfs.tar` };
}
