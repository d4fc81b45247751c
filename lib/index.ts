/**
 * Boxwright: a typed image spec goes in; a tested, checksummed Vagrant box (and optionally its
 * published registry entry) comes out. This module is the public API and nothing else.
 */
export { loadImage } from './spec/load.js';
export { validateImage } from './spec/validate.js';
export { DEFAULTS } from './spec/defaults.js';
export type {
  ImageSpec, ImageSpecInput, BaseName, BaseSpec, CustomBase, Provider, BuildKind, Accelerator, DatabaseEngine,
  BuildSettings, VmResources, NginxSettings, AppSettings, DatabaseSettings, NetworkSettings, FirewallSettings,
} from './spec/types.js';
export { renderImage, type RenderOptions, type RenderResult } from './render/render-image.js';
export { renderChecks } from './render/checks.js';
export { buildImage, type BuildOptions, type BuildResult } from './build/build-image.js';
export type { BuildEvent, BuildPhase } from './build/events.js';
export { validateRendered, type ValidateOptions, type ValidateResult } from './build/validate-rendered.js';
export { diffManifests, formatDiff, type ManifestDiff } from './build/diff.js';
export type { BuildManifest } from './build/manifest.js';
export { publishBox, publishBoxes, type PublishOptions, type PublishResult, type CatalogTarget, type RegistryTarget } from './publish/index.js';
export { checkBox, type CheckBoxOptions, type CheckBoxResult } from './verify/check-box.js';
export { labFileFor, writeLabFile, type LabFile } from './lab/lab-file.js';
export { resolveLock, checkLock, readLock, writeLock, compareLock } from './lock/index.js';
export type { Lock, LockMismatch } from './lock/types.js';
export { BoxwrightError, isBoxwrightError, type ErrorCode } from './errors.js';
