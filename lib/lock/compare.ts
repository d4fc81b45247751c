import type { Lock, LockMismatch } from './types.js';

/** Leaf values of a JSON value by dotted path (arrays are leaves: compared whole). */
function leaves(value: unknown, prefix: string, into: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix !== '') into.set(prefix, {});
    for (const [key, child] of entries) leaves(child, prefix === '' ? key : `${prefix}.${key}`, into);
  } else if (prefix !== '') {
    into.set(prefix, value);
  }
  return into;
}

/**
 * Every field that differs between the lock file (`expected`) and the inputs resolved now
 * (`actual`), by dotted path, in a stable (sorted) order. A field present on one side only is
 * reported with `undefined` on the other. Empty when they match.
 */
export function compareLock(expected: Lock, actual: Lock): LockMismatch[] {
  const a = leaves(expected, '', new Map());
  const b = leaves(actual, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const result: LockMismatch[] = [];
  for (const path of paths) {
    const left = a.get(path);
    const right = b.get(path);
    if (JSON.stringify(left) !== JSON.stringify(right)) result.push({ path, expected: left, actual: right });
  }
  // A whole subtree replaced by an empty object on the other side is reported once, by its leaves.
  return result.filter((m) => !(isEmptyObject(m.expected) && m.actual === undefined && result.some((o) => o.path.startsWith(`${m.path}.`))))
    .filter((m) => !(isEmptyObject(m.actual) && m.expected === undefined && result.some((o) => o.path.startsWith(`${m.path}.`))));
}

function isEmptyObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** One mismatch as a line: `base.recipeHash: lock has "…", now "…"`. */
export function formatMismatch(mismatch: LockMismatch): string {
  const show = (value: unknown): string => (value === undefined ? '(absent)' : JSON.stringify(value));
  return `${mismatch.path}: lock has ${show(mismatch.expected)}, now ${show(mismatch.actual)}`;
}
