export type * from './types.js';
export { DEFAULTS } from './defaults.js';
export { validateImage, fieldPath } from './validate.js';
export { loadImage, resolveImagePath, IMAGE_FILE_MAX_BYTES, IMAGE_FILE_MAX_DEPTH } from './load.js';
export { imageJsonSchema, SCHEMA_FILE } from './json-schema.js';
export {
  hostnameProblem, isHostname, vmHostnameProblem, isVmHostname, ipv4Problem, isHostIPv4, isIPv4, inVirtualBoxHostOnlyRange,
  parsePort, isPort, isLabName, LAB_NAME, RESERVED_HOSTNAMES, HOSTNAME_MAX, VM_HOSTNAME_MAX,
} from './values.js';
