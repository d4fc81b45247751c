import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../../lib/image/fields.js';
import { imageJsonSchema } from '../../lib/image/json-schema.js';
import { validateImage } from '../../lib/image/validate.js';

/** Ajv in strict mode (unknown keywords, missing types, undefined required properties are errors). */
export function strictAjv(): Ajv2020 {
  return new Ajv2020({ strict: true, allErrors: false });
}

/** The generated JSON Schema, compiled once by strict Ajv. */
export const schemaValidates = strictAjv().compile(imageJsonSchema() as JsonSchema & object);

/** The verdict of the JSON Schema on a spec. */
export function schemaAccepts(spec: unknown): boolean {
  return schemaValidates(spec);
}

/** The verdict of validateImage on a spec. */
export function validatorAccepts(spec: unknown): boolean {
  try {
    validateImage(spec, '/images/x');
    return true;
  } catch {
    return false;
  }
}

/** The smallest valid spec. */
export const minimal = { name: 'foobar-web', version: '1.0.0' } as const;
