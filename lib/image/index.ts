export type * from './types.js';
export { DEFAULTS } from './defaults.js';
export { validateImage, inVirtualBoxHostOnlyRange } from './validate.js';
export { loadImage, resolveImagePath } from './load.js';
export { isHostname, isIPv4 } from './rules.js';
