import { BUILD_LAYOUT } from '../plan/layout.js';
import type { BuildPlan } from '../plan/plan.js';

type Block = Record<string, Record<string, unknown>>;

/** The box's own Vagrantfile (rendered from provisioners/files/box/Vagrantfile), relative to the build folder. */
export const BOX_VAGRANTFILE = `${BUILD_LAYOUT.files}/box/Vagrantfile`;

/**
 * The gzip level of every box, whichever kind packs it (packer's vagrant post-processor or the
 * chroot helper's pigz). 4, not gzip's usual 6: measured on the Debian 13 stack box's 650 MB disk,
 * level 6 took 39 s of CPU and gave 225.0 MB, level 4 21 s and 230.2 MB (+2.3 %); packing was
 * most of a chroot build's time.
 */
export const BOX_GZIP_LEVEL = 4;

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
    { vagrant: { compression_level: BOX_GZIP_LEVEL, keep_input_artifact: false, output: boxOutputPath(plan), vagrantfile_template: BOX_VAGRANTFILE } },
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
