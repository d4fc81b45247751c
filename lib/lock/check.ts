import { BoxwrightError } from '../errors.js';
import type { ImageSpec } from '../image/types.js';
import { compareLock, formatMismatch } from './compare.js';
import { lockPath, readLock } from './file.js';
import { resolveLock } from './resolve.js';
import type { Lock, LockMismatch, ResolveLockOptions } from './types.js';

/** What an `E_LOCK_MISMATCH` error carries as its `cause`. */
export interface LockMismatchDetails {
  /** The lock file. */
  lockPath: string;
  mismatches: LockMismatch[];
  /** The lock as resolved now (what `--update` would write). */
  actual: Lock;
}

/**
 * The `E_LOCK_MISMATCH` error for a set of mismatches: one line per changed field with the
 * locked and the current value, then the fix. Its `cause` is a {@link LockMismatchDetails}.
 */
export function lockMismatchError(details: LockMismatchDetails, image: string, options: Pick<ResolveLockOptions, 'base'> = {}): BoxwrightError {
  const baseFlag = options.base ? ` --base ${options.base}` : '';
  const lines = details.mismatches.map((m) => `  ${formatMismatch(m)}`);
  return new BoxwrightError('E_LOCK_MISMATCH', [
    `${details.lockPath} no longer matches the build's inputs (${details.mismatches.length} field${details.mismatches.length === 1 ? '' : 's'}):`,
    ...lines,
    `If the change is intended, update the lock: \`boxwright lock ${image}${baseFlag} --update\` (or \`boxwright build ... --update-lock\`) and commit it; otherwise restore the inputs it names.`,
  ].join('\n'), { cause: details });
}

/**
 * Checks the image's `boxwright.lock.json` against its inputs resolved now ({@link resolveLock}
 * with the same options as the build). `options.lock` is the lock file already read (a build reads
 * it once); without it the file is read here.
 *
 * A build without a lock file is allowed: then nothing is checked and the result is `undefined`
 * (run `boxwright lock <image>` to start pinning).
 *
 * @returns the lock when every field matches; `undefined` when the image has no lock file.
 * @throws BoxwrightError `E_LOCK_MISMATCH` listing each changed field (path, locked value, current
 *   value) and the fix; the errors of {@link resolveLock} when the inputs cannot be resolved.
 */
export async function checkLock(spec: ImageSpec, options: ResolveLockOptions & { lock?: Lock } = {}): Promise<Lock | undefined> {
  const expected = options.lock ?? await readLock(spec.dir);
  if (expected === undefined) return undefined;
  const actual = await resolveLock(spec, options);
  const mismatches = compareLock(expected, actual);
  if (mismatches.length > 0) throw lockMismatchError({ lockPath: lockPath(spec.dir), mismatches, actual }, spec.dir, options);
  return expected;
}
