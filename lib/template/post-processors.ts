import { BUILD_LAYOUT } from '../plan/layout.js';
import type { BuildPlan } from '../plan/plan.js';

type Block = Record<string, Record<string, unknown>>;

/** The box's own Vagrantfile (rendered from provisioners/files/box/Vagrantfile), relative to the build folder. */
export const BOX_VAGRANTFILE = `${BUILD_LAYOUT.files}/box/Vagrantfile`;

/** Path (relative to the build folder) where packer leaves the box. */
export function boxOutputPath(plan: BuildPlan): string {
  return `${BUILD_LAYOUT.artifacts}/${plan.boxName}`;
}

/**
 * VM kind: the `vagrant` post-processor turns the provider's disk into a box; a separate
 * `manifest` post-processor records packer's artifacts.
 */
export function vmPostProcessors(plan: BuildPlan): Block[] {
  return [
    { vagrant: { compression_level: 6, keep_input_artifact: false, output: boxOutputPath(plan), vagrantfile_template: BOX_VAGRANTFILE } },
    { manifest: { output: `${BUILD_LAYOUT.artifacts}/packer-manifest.json`, strip_path: true } },
  ];
}

/**
 * Chroot kind: the box is packed by the chroot helper; `artifice` registers it as the build's
 * artifact so packer's manifest (and events) report it like a VM build's box.
 */
export function chrootPostProcessors(plan: BuildPlan): Array<Block[]> {
  return [[
    { artifice: { files: [boxOutputPath(plan)] } },
    { manifest: { output: `${BUILD_LAYOUT.artifacts}/packer-manifest.json`, strip_path: true } },
  ]];
}
