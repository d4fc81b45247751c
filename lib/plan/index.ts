/**
 * The build plan, computed once per build and handed down: base mapping (the base table), build
 * kind, accelerator, the build folder and guest layout, and each provisioner's phase and kinds.
 */
export { planBuild, PACKER_1_6_6, type BuildPlan, type PackerFeatures, type PlanOptions } from './plan.js';
export { BASES, UBUNTU_2404, familyOf, planBase, type BaseRow, type CloudImageBaseRow, type MirrorBaseRow, type MirrorSource, type PlannedBase } from './bases.js';
export { chooseAccelerator, chooseKind, readHostFacts, type HostFacts } from './host.js';
export { BUILD_LAYOUT, GUEST_PATHS, RENDER_ENTRIES, boxFileName, mirrorBasePaths } from './layout.js';
export { parseScriptHeader, provisionersDir, readScripts, type PlannedScript, type ScriptHeader, type ScriptKind, type ScriptPhase } from './scripts.js';
