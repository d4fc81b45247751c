/** The Packer SDK: locate, version + capabilities, init, validate, build, machine-readable events. */
export { locatePacker, type LocateOptions } from './locate.js';
export { MIN_PACKER_VERSION, assertSupportedVersion, packerVersion, parsePackerVersion, releaseOf } from './version.js';
export {
  PACKER_PLUGIN_PINS, PACKER_PLUGIN_SOURCES, capabilitiesFor, detectPacker,
  type DetectedPacker, type PackerCapabilities, type PackerPluginName,
} from './capabilities.js';
export {
  DEFAULT_GRACE_PERIOD_MS, isForceReason, packerBuild, packerInit, packerValidate,
  type PackerBuildOptions, type PackerBuildResult, type PackerCommandOptions, type PackerCommandResult,
  type PackerInitOptions, type PackerValidateOptions, type PackerVars,
} from './run.js';
export {
  parseMachineReadable, parseMachineReadableLine, unescapeField,
  type ArtifactCountEvent, type ArtifactEvent, type ArtifactField, type ErrorCountEvent, type ErrorEvent,
  type OtherEvent, type PackerEvent, type RawEvent, type UiEvent, type UiLevel, type VersionEvent,
} from './machine-readable.js';
export {
  ArtifactCollector, VAGRANT_POST_PROCESSOR_ID, vagrantBoxes, type PackerArtifact, type VagrantBoxArtifact,
} from './reported-artifacts.js';
export { progressFromUi, type PackerPhase, type UiProgress } from './progress.js';
export { DescendantTracker, type ProcInfo } from './proc-tree.js';
