import { imageSchema } from './schema.js';
import type { ImageSpec } from './types.js';

/** Defaults of every optional field of an image spec, read from its definition (`schema.ts`). */
export const DEFAULTS: Omit<ImageSpec, 'name' | 'version' | 'dir'> = (() => {
  const { name: _name, version: _version, $schema: _schema, ...defaults } = imageSchema.parse({ name: 'x', version: '0.0.0' });
  return Object.freeze(defaults);
})();
