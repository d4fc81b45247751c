/**
 * A small JSON Schema (2020-12) checker for the keywords Boxwright's own schemas use: `type`,
 * `enum`, `const`, `pattern`, `minimum`, `required`, `properties`, `patternProperties`,
 * `additionalProperties`, `items`, `oneOf`. An unknown keyword is an error, so a schema cannot
 * silently rely on one this checker ignores.
 */
type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description']);
const KNOWN = new Set([...ANNOTATIONS, 'type', 'enum', 'const', 'pattern', 'minimum', 'required', 'properties',
  'patternProperties', 'additionalProperties', 'items', 'oneOf']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Problems of `value` against `schema` (empty when valid), each with its JSON path. */
export function schemaErrors(schema: Schema, value: unknown, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: not allowed`];
  const errors: string[] = [];
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`schema keyword ${key} at ${at} is not supported by this checker`);
  const type = schema.type as string | undefined;
  if (type !== undefined) {
    const actual = typeOf(value);
    if (!(actual === type || (type === 'number' && actual === 'integer'))) return [`${at}: ${actual}, expected ${type}`];
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((item) => JSON.stringify(item) === JSON.stringify(value))) errors.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) errors.push(`${at}: ${JSON.stringify(value)}, expected ${JSON.stringify(schema.const)}`);
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
  if (Array.isArray(value) && schema.items !== undefined) value.forEach((item, i) => errors.push(...schemaErrors(schema.items as Schema, item, `${at}[${i}]`)));
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of (schema.required as string[] | undefined) ?? []) if (!(name in object)) errors.push(`${at}: missing ${name}`);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const patterns = Object.entries((schema.patternProperties ?? {}) as Record<string, Schema>).map(([p, s]) => [new RegExp(p, 'u'), s] as const);
    for (const [name, item] of Object.entries(object)) {
      let matched = false;
      if (name in properties) {
        matched = true;
        errors.push(...schemaErrors(properties[name] as Schema, item, `${at}.${name}`));
      }
      for (const [re, sub] of patterns) {
        if (!re.test(name)) continue;
        matched = true;
        errors.push(...schemaErrors(sub, item, `${at}.${name}`));
      }
      if (!matched && schema.additionalProperties !== undefined) errors.push(...schemaErrors(schema.additionalProperties as Schema, item, `${at}.${name}`));
    }
  }
  if (schema.oneOf !== undefined) {
    const branches = (schema.oneOf as Schema[]).map((branch) => schemaErrors(branch, value, at));
    const passing = branches.filter((b) => b.length === 0).length;
    if (passing !== 1) errors.push(`${at}: matches ${passing} of oneOf (expected 1): ${branches.map((b) => b[0] ?? 'ok').join(' | ')}`);
  }
  return errors;
}
