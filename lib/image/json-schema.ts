import { z } from 'zod';
import type { JsonSchema } from './fields.js';
import { imageSchema, ruleDefaults } from './schema.js';
import { SPEC_RULES } from './spec-rules.js';

/** Where the committed JSON Schema lives, relative to the package root. */
export const SCHEMA_FILE = 'schema/image.schema.json';

/** Root keywords first, in reading order; the rest keep zod's order. */
const ROOT_ORDER = ['$schema', 'title', 'description', 'type', 'required', 'additionalProperties', 'properties', 'allOf', '$defs'];

/**
 * `schema/image.schema.json`: the image spec as JSON Schema (draft 2020-12), generated from its
 * definition (`schema.ts`) with zod's `toJSONSchema`, plus each rule across fields
 * (`spec-rules.ts`) as far as JSON Schema can express it, in the root's `allOf`.
 */
export function imageJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(imageSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' }) as JsonSchema;
  const defaults = ruleDefaults();
  const allOf = SPEC_RULES.flatMap((rule) => rule.jsonSchema(defaults).map((part) => ({
    $comment: `${rule.id}: ${rule.says}${rule.beyondJsonSchema ? ` Checked by the validator only: ${rule.beyondJsonSchema}.` : ''}`,
    ...part,
  })));
  const schema: JsonSchema = { ...generated, allOf };
  const ordered: JsonSchema = {};
  for (const key of ROOT_ORDER) if (key in schema) ordered[key] = schema[key];
  for (const [key, value] of Object.entries(schema)) if (!(key in ordered)) ordered[key] = value;
  return ordered;
}

/** The committed file's text: the schema as two-space JSON with a final newline. */
export function imageJsonSchemaText(): string {
  return `${JSON.stringify(imageJsonSchema(), null, 2)}\n`;
}
