import semver from 'semver';
import { assertSupportedVersion, packerVersion, releaseOf } from './version.js';
import { locatePacker, type LocateOptions } from './locate.js';

/** Plugins Boxwright may need from packer ≥ 1.7 through `required_plugins`. */
export type PackerPluginName = 'qemu' | 'virtualbox' | 'vagrant';

/**
 * Exact plugin versions Boxwright pins in `required_plugins` (always `= X.Y.Z`, never `>=`).
 *
 * Where the numbers come from (read 2026-11-25, public sources):
 * - qemu 1.1.6: `packer init` output "Installed plugin github.com/hashicorp/qemu v1.1.6" in a
 *   published 2026 build log (hashicorp/packer-plugin-qemu's own CHANGELOG stops at 0.0.1).
 * - virtualbox 1.1.3: hashicorp/packer-plugin-virtualbox CHANGELOG.md, "## 1.1.3 (August 5, 2025)".
 * - vagrant 1.1.6: hashicorp/packer-plugin-vagrant CHANGELOG.md, "## 1.1.6 (August 5, 2025)"
 *   (1.1.7 of May 2026 exists too; 1.1.6 is the release of the same wave as virtualbox 1.1.3).
 * Bump them deliberately, with a build, and note it in the CHANGELOG.
 */
export const PACKER_PLUGIN_PINS: Readonly<Record<PackerPluginName, string>> = Object.freeze({
  qemu: '1.1.6',
  virtualbox: '1.1.3',
  vagrant: '1.1.6',
});

/** `required_plugins` source addresses of the pinned plugins. */
export const PACKER_PLUGIN_SOURCES: Readonly<Record<PackerPluginName, string>> = Object.freeze({
  qemu: 'github.com/hashicorp/qemu',
  virtualbox: 'github.com/hashicorp/virtualbox',
  vagrant: 'github.com/hashicorp/vagrant',
});

/** What an installed packer can do, derived from its version. */
export interface PackerCapabilities {
  /** The version, semver (`1.6.6`, `1.11.2`, `1.12.0-dev`). */
  version: string;
  /** Reads HCL2 in JSON syntax (`*.pkr.json`): every supported version. */
  hcl2Json: true;
  /** Understands `packer { required_plugins {...} }` (≥ 1.7; 1.6.6 rejects the block). */
  requiredPlugins: boolean;
  /** Has `packer init` (≥ 1.7). */
  init: boolean;
  /** Ships the qemu builder inside the binary (< 1.10). */
  bundledQemu: boolean;
  /** Ships the virtualbox builders inside the binary (< 1.10). */
  bundledVirtualbox: boolean;
  /** Ships the vagrant post-processor inside the binary (< 1.10). */
  bundledVagrantPP: boolean;
  /**
   * Exact versions to pin in `required_plugins` when `requiredPlugins` is true
   * ({@link PACKER_PLUGIN_PINS}); empty when it is false.
   */
  plugins: Readonly<Partial<Record<PackerPluginName, string>>>;
}

/**
 * Capabilities of packer `version`. Prerelease builds count as their release (`1.7.0-dev` ≥ 1.7).
 *
 * @throws BoxwrightError `E_PACKER_VERSION` when `version` is older than 1.6.6.
 */
export function capabilitiesFor(version: string): PackerCapabilities {
  assertSupportedVersion(version);
  const release = releaseOf(version);
  const atLeast = (v: string): boolean => semver.gte(release, v);
  const plugins = atLeast('1.7.0');
  const bundled = !atLeast('1.10.0');
  return {
    version,
    hcl2Json: true,
    requiredPlugins: plugins,
    init: plugins,
    bundledQemu: bundled,
    bundledVirtualbox: bundled,
    bundledVagrantPP: bundled,
    plugins: plugins ? PACKER_PLUGIN_PINS : {},
  };
}

/** The installed packer: where it is, and what it can do. */
export interface DetectedPacker {
  /** Absolute path of the binary. */
  path: string;
  capabilities: PackerCapabilities;
}

/**
 * Locate packer, run `packer version`, and derive its capabilities.
 *
 * @throws BoxwrightError `E_PACKER_MISSING` or `E_PACKER_VERSION` (both say the fix).
 */
export async function detectPacker(options: LocateOptions = {}): Promise<DetectedPacker> {
  const path = await locatePacker(options);
  const version = await packerVersion({ ...options, packerPath: path });
  return { path, capabilities: capabilitiesFor(version) };
}
