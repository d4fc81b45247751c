/**
 * Boxwright: a typed image spec goes in; a tested, checksummed Vagrant box (and optionally its
 * published registry entry) comes out. This module is the public API and nothing else.
 */
export { loadImage } from './image/load.js';
export { validateImage } from './image/validate.js';
export { DEFAULTS } from './image/defaults.js';
export type {
  ImageSpec, ImageSpecInput, BaseName, BaseSpec, CustomBase, Provider, BuildKind, Accelerator, DatabaseEngine,
  BuildSettings, VmResources, NginxSettings, AppSettings, DatabaseSettings, NetworkSettings, FirewallSettings,
} from './image/types.js';
export { renderImage, type RenderOptions, type RenderResult } from './render/render-image.js';
export { renderChecks } from './render/checks.js';
export { buildImage, type BuildOptions, type BuildResult } from './builder/build-image.js';
export type { BuildEvent, BuildPhase } from './builder/events.js';
export { validateRendered, type ValidateOptions, type ValidateResult } from './builder/validate-rendered.js';
export { diffManifests, formatDiff, type ManifestDiff } from './builder/diff.js';
export type { BuildManifest } from './builder/manifest.js';
export { publishBox, publishBoxes, type PublishOptions, type PublishResult, type CatalogTarget, type RemoteCatalogTarget, type RegistryTarget } from './publish/index.js';
export { checkBox, type CheckBoxOptions, type CheckBoxResult } from './verify/check-box.js';
export { labFileFor, writeLabFile, type LabFile } from './lab/lab-file.js';
export { deployApp, type DeployOptions, type DeployResult, type DeployEvent } from './lab/deploy/deploy.js';
export { promoteDatabase, type PromoteOptions, type PromoteResult, type PromoteEvent } from './lab/db-promote.js';
export { resolveLock, checkLock, readLock, writeLock, compareLock } from './lock/index.js';
export type { Lock, LockMismatch } from './lock/types.js';
export { BoxwrightError, isBoxwrightError, type ErrorCode } from './errors.js';
