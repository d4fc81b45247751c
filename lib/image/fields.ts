/**
 * Builders for the fields of the image spec: each makes a zod schema whose every failure carries a
 * message that says the fix, and whose JSON Schema form (for `schema/image.schema.json`) holds the
 * same rule. A rule zod cannot turn into JSON Schema by itself (a custom check) is declared with
 * {@link withRule}, which takes the check and its JSON Schema form side by side.
 */
import { z } from 'zod';
import { anyCase } from './values.js';

/** A raw zod issue, as an error function sees it (with the input). */
type RawIssue = z.core.$ZodRawIssue;

/** A fragment of JSON Schema (2020-12). */
export type JsonSchema = { [keyword: string]: unknown };

/** Longest part of a value an error message quotes; longer values end in `…`. */
export const QUOTE_MAX = 40;

/**
 * A value as an error message shows it: strings JSON-quoted and cut to {@link QUOTE_MAX}
 * characters, lists and objects by their shape only (a 50 MB value is never echoed).
 */
export function quote(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= QUOTE_MAX) return JSON.stringify(value);
    let cut = value.slice(0, QUOTE_MAX);
    if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
    return `${JSON.stringify(cut).slice(0, -1)}…" (${value.length} characters)`;
  }
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `a list of ${value.length}`;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0 ? '{}' : 'an object';
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  return String(value);
}

/** What a wrong type is called when the message names the type it wanted. */
const EXPECTED: Record<string, string> = { string: 'a string', boolean: 'true or false', object: 'an object', array: 'a list' };

/**
 * An error function for a field: a missing, null or wrongly typed value, or a value that breaks
 * the rule, each get a message ending in `fix`. A wrong value reads `<value> <what>; <fix>`.
 */
export function says(fix: string, what = 'is not valid'): (issue: RawIssue) => string {
  const tail = fix === '' ? '' : `; ${fix}`;
  return (issue) => {
    const input = issue.input;
    if (input === undefined) return `is required${tail}`;
    if (input === null) return `is null; give a value or leave the field out to get the default`;
    if (issue.code === 'invalid_type' && EXPECTED[issue.expected] !== undefined) return `must be ${EXPECTED[issue.expected]}, got ${quote(input)}${tail}`;
    return `${quote(input)} ${what}${tail}`;
  };
}

/** A string matching `pattern`. */
export function matching(pattern: RegExp, fix: string, what?: string): z.ZodString {
  const error = says(fix, what);
  return z.string({ error }).regex(pattern, { error });
}

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number, unit = '', what?: string): z.ZodNumber {
  const error = says(`use a whole number from ${min} to ${max}${unit}`, what);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** One of a fixed list of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, fix?: string): z.ZodEnum<{ [K in T[number]]: K }> {
  return z.enum(values, { error: says(fix ?? `use one of ${values.map((v) => `"${v}"`).join(', ')}`, 'is not allowed') });
}

/** true or false. */
export function flag(): z.ZodBoolean {
  return z.boolean({ error: says('') });
}

/**
 * An object with exactly the fields of `shape`: an unknown field is refused, naming the known
 * ones. (The caller adds the unknown key to the issue's path.)
 */
export function exactly<S extends z.core.$ZodLooseShape>(shape: S, what = 'an object'): z.ZodObject<S, z.core.$strict> {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => issue.code === 'unrecognized_keys'
      ? `unknown field; remove it (known fields here: ${known})`
      : issue.input === null ? 'is null; give an object or leave the field out to get the defaults'
        : `must be ${what}, got ${quote(issue.input)}`,
  });
}

/**
 * `schema` with one more rule: `problem` says what is wrong with a value (or `undefined`), and
 * `jsonSchema` is the same rule in JSON Schema, merged into the field's generated schema.
 */
export function withRule<T extends z.ZodType>(schema: T, problem: (value: z.output<T>) => string | undefined, jsonSchema: JsonSchema): T {
  return schema.check((ctx) => {
    const message = problem(ctx.value);
    if (message !== undefined) ctx.issues.push({ code: 'custom', message, input: ctx.value });
  }).meta(jsonSchema) as T;
}

/** A JSON Schema pattern matching exactly one of `words`, ignoring ASCII case. */
export function anyCasePattern(words: readonly string[]): string {
  return `^(?:${words.map(anyCase).join('|')})$`;
}
