import type { z } from 'zod';
import { BoxwrightError } from '../errors.js';
import { imageSchema } from './schema.js';
import type { ImageSpec } from './types.js';

type Issue = z.core.$ZodIssue;

/** `app.port`, `providers[0]`, `(root)`: the path of a field as messages and `BoxwrightError.path` give it. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  const text = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
  return text === '' ? '(root)' : text;
}

/** How telling an issue of one branch of a union is: a nested field beats a wrong type of the whole. */
function weight(issue: Issue | undefined): number {
  if (issue === undefined) return -1;
  if (issue.path.length > 0) return 2;
  return issue.code === 'invalid_type' || issue.code === 'invalid_value' ? 0 : 1;
}

/**
 * The issue to report, with its full path: for a value that matches no branch of a union (the
 * `base` field), the issue of the branch the value was meant for; for an unknown field, its key.
 */
function pick(issue: Issue, prefix: ReadonlyArray<PropertyKey> = []): { path: PropertyKey[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branches = issue.errors.map((branch) => branch[0]);
    let best = 0;
    branches.forEach((first, index) => { if (weight(first) > weight(branches[best])) best = index; });
    const chosen = branches[best];
    if (chosen !== undefined) return pick(chosen, path);
  }
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) return { path: [...path, issue.keys[0]], message: issue.message };
  return { path, message: issue.message };
}

/**
 * Validates an image spec (as parsed from image.json) and applies every default.
 * Throws {@link BoxwrightError} `E_SPEC_INVALID` whose `path` names the first wrong field and
 * whose message says how to fix it. Nothing is read or written.
 *
 * @param input parsed JSON of image.json
 * @param dir absolute folder of image.json (relative paths resolve against it)
 */
export function validateImage(input: unknown, dir = process.cwd()): ImageSpec {
  const result = imageSchema.safeParse(input);
  if (!result.success) {
    const first = result.error.issues[0];
    const { path, message } = first === undefined ? { path: [], message: 'is not valid' } : pick(first);
    const where = fieldPath(path);
    throw new BoxwrightError('E_SPEC_INVALID', `image spec: ${where}: ${message}`, { path: where });
  }
  const { $schema: _schema, ...spec } = result.data;
  return { ...spec, dir };
}
