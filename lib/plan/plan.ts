import { BoxwrightError } from '../errors.js';
import type { Accelerator, BaseName, BuildKind, ImageSpec, Provider } from '../image/types.js';
import type { PackerCapabilities } from '../packer/capabilities.js';
import { planBase, type PlannedBase } from './bases.js';
import { chooseAccelerator, chooseKind, type HostFacts, readHostFacts } from './host.js';
import { boxFileName } from './layout.js';
import { type PlannedScript, readScripts } from './scripts.js';

/** What the plan needs to know of the installed packer (see lib/packer/capabilities.ts). */
export type PackerFeatures = Pick<PackerCapabilities, 'version' | 'requiredPlugins' | 'plugins'>;

/** Packer 1.6.6 as shipped by Debian 12: everything bundled, no required_plugins. */
export const PACKER_1_6_6: PackerFeatures = { version: '1.6.6', requiredPlugins: false, plugins: {} };

/** What a plan is made from besides the spec. */
export interface PlanOptions {
  /** @default spec.providers[0] */
  provider?: Provider;
  /** Overrides spec.base with a known base name. */
  base?: BaseName;
  /** @default spec.build.kind */
  kind?: BuildKind;
  /** @default spec.build.accelerator */
  accelerator?: Accelerator;
  /** What the installed packer can do (detected once per build). @default packer 1.6.6 (Debian) */
  packer?: PackerFeatures;
  /** Host facts (tests inject them). @default read from this machine, once per plan */
  host?: HostFacts;
  /** The provisioner scripts with their headers (tests inject them). @default read from provisioners/ */
  scripts?: readonly PlannedScript[];
}

/**
 * The build plan: every decision of a build, made once and handed to render, template, lock,
 * base and the builder's steps. Plain data.
 */
export interface BuildPlan {
  spec: ImageSpec;
  provider: Provider;
  kind: 'vm' | 'chroot';
  /** QEMU accelerator chosen for this host (never `auto` here). */
  accelerator: 'kvm' | 'tcg';
  base: PlannedBase;
  packer: PackerFeatures;
  /** The provisioner scripts that run in this kind, in run order, with their phase. */
  scripts: readonly PlannedScript[];
  /** `<name>-<version>.<provider>.box`. */
  boxName: string;
}

/**
 * Plans a build: provider, base, kind and accelerator for this host, the packer it targets and the
 * scripts that run. Throws on impossible choices, naming the field and the fix.
 */
export async function planBuild(spec: ImageSpec, options: PlanOptions = {}): Promise<BuildPlan> {
  const provider = options.provider ?? spec.providers[0] ?? 'libvirt';
  if (!spec.providers.includes(provider)) {
    throw new BoxwrightError('E_SPEC_INVALID', `provider "${provider}" is not in the image's providers (${spec.providers.join(', ')}); add it to "providers" in image.json or pick one of those`, { path: 'providers' });
  }
  const base = planBase(spec, options.base);
  if (provider === 'virtualbox' && base.source === 'custom') {
    throw new BoxwrightError('E_SPEC_INVALID', 'a custom base is a qcow2 disk image, which the virtualbox provider cannot boot; use provider "libvirt" or base "ubuntu-24.04"', { path: 'base' });
  }
  const host = options.host ?? readHostFacts();
  const kind = chooseKind(options.kind ?? spec.build.kind, base, provider, host);
  const accelerator = chooseAccelerator(options.accelerator ?? spec.build.accelerator, host);
  const scripts = (options.scripts ?? await readScripts()).filter((script) => script.kinds.includes(kind));
  return { spec, provider, kind, accelerator, base, packer: options.packer ?? PACKER_1_6_6, scripts, boxName: boxFileName(spec, provider) };
}
