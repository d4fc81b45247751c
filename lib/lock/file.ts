import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { BoxwrightError } from '../errors.js';
import { LOCK_FILE, LOCK_FORMAT, type Lock } from './types.js';

/**
 * Path of the lock file for an image: `boxwright.lock.json` in the image folder. `dirOrImage`
 * may be the folder or its image.json.
 */
export function lockPath(dirOrImage: string): string {
  const resolved = path.resolve(dirOrImage);
  return path.basename(resolved) === LOCK_FILE ? resolved
    : resolved.endsWith('.json') ? path.join(path.dirname(resolved), LOCK_FILE)
      : path.join(resolved, LOCK_FILE);
}

/**
 * A value with every object's keys in a stable order (`format` first, then sorted), so the same
 * lock always serialises to the same bytes however it was built.
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => (a === 'format' ? -1 : b === 'format' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
}

/** The lock file's text: canonical key order, two-space JSON, final newline. */
export function lockText(lock: Lock): string {
  return `${JSON.stringify(canonical(lock), null, 2)}\n`;
}

/**
 * Writes `boxwright.lock.json` into `dir` (the image folder) atomically (temp file + rename).
 * Returns the path written.
 */
export async function writeLock(dir: string, lock: Lock): Promise<string> {
  const file = lockPath(dir);
  await writeFileAtomic(file, lockText(lock));
  return file;
}

/**
 * Reads `boxwright.lock.json` from `dir` (the image folder or its image.json).
 *
 * @returns the lock, or undefined when there is no lock file.
 * @throws BoxwrightError `E_SPEC_READ` when the file is not JSON or not a lock of a known format.
 */
export async function readLock(dir: string): Promise<Lock | undefined> {
  const file = lockPath(dir);
  if (!(await stat(file).catch(() => undefined))?.isFile()) return undefined;
  const text = await readFile(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new BoxwrightError('E_SPEC_READ', `${file} is not JSON; remove it and run \`boxwright lock <image>\` to make it again`, { cause });
  }
  const lock = parsed as Partial<Lock> | null;
  if (lock === null || typeof lock !== 'object' || lock.format !== LOCK_FORMAT || typeof lock.base !== 'object' || typeof lock.packer !== 'object' || typeof lock.guest !== 'object' || typeof lock.app !== 'object') {
    throw new BoxwrightError('E_SPEC_READ', `${file} is not a Boxwright lock of format ${LOCK_FORMAT}; run \`boxwright lock <image> --update\` to rewrite it`);
  }
  return lock as Lock;
}
