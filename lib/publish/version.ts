import semver from 'semver';
import { BoxwrightError } from '../errors.js';

/** How far to move from the latest published version. */
export type BumpLevel = 'patch' | 'minor' | 'major';

/** What the caller asked for: an explicit version, or a bump from the latest. */
export interface VersionRequest {
  /** An explicit semver version, e.g. `1.2.3` (a leading `v` is dropped). */
  version?: string;
  /** Bump from the latest published version; with none published, from `0.0.0`. */
  bump?: BumpLevel;
}

const BUMPS: readonly BumpLevel[] = ['patch', 'minor', 'major'];

/**
 * The version to publish next.
 *
 * - An explicit `version` must be valid semver without build metadata. It must be greater than
 *   the latest of `existing`, or be one of `existing` (re-publishing a version, e.g. to add a
 *   provider or to resume; the target then decides between no-op and conflict). `force` lifts
 *   the "greater than" rule.
 * - `bump` increments the latest of `existing` (`1.2.3` → patch `1.2.4`, minor `1.3.0`,
 *   major `2.0.0`). With nothing published it starts from `0.0.0`: patch → `0.0.1`,
 *   minor → `0.1.0`, major → `1.0.0`.
 *
 * Entries of `existing` that are not semver are ignored.
 *
 * @throws {BoxwrightError} `E_SPEC_INVALID` with `path` `version` or `bump`, naming the fix.
 */
export function nextVersion(existing: readonly string[], request: VersionRequest, force = false): string {
  const { version, bump } = request;
  if (version !== undefined && bump !== undefined) {
    throw new BoxwrightError('E_SPEC_INVALID', 'Give either a version or a bump level, not both (drop --version or --bump).', { path: 'version' });
  }
  const known = existing.map((v) => semver.valid(v)).filter((v): v is string => v !== null);
  const latest = semver.rsort([...known])[0];

  if (version !== undefined) return explicitVersion(version, known, latest, force);
  if (bump !== undefined) {
    if (!BUMPS.includes(bump)) {
      throw new BoxwrightError('E_SPEC_INVALID', `Unknown bump level "${String(bump)}": use patch, minor or major.`, { path: 'bump' });
    }
    return semver.inc(latest ?? '0.0.0', bump) as string;
  }
  throw new BoxwrightError('E_SPEC_INVALID', 'No version to publish: give --version X.Y.Z or --bump patch|minor|major.', { path: 'version' });
}

function explicitVersion(version: string, known: string[], latest: string | undefined, force: boolean): string {
  const parsed = semver.valid(version.trim());
  if (parsed === null) {
    throw new BoxwrightError('E_SPEC_INVALID', `"${version}" is not a semver version: use the form X.Y.Z, e.g. 1.2.3.`, { path: 'version' });
  }
  if (version.includes('+')) {
    throw new BoxwrightError('E_SPEC_INVALID', `"${version}" has build metadata (+...), which does not order versions: drop it.`, { path: 'version' });
  }
  if (known.some((k) => semver.eq(k, parsed))) return parsed;
  if (latest !== undefined && !force && !semver.gt(parsed, latest)) {
    throw new BoxwrightError(
      'E_SPEC_INVALID',
      `Version ${parsed} is not greater than the latest published version ${latest}: give a higher --version, use --bump, or --force.`,
      { path: 'version' },
    );
  }
  return parsed;
}
