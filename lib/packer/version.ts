import { execa } from 'execa';
import semver from 'semver';
import { BoxwrightError } from '../errors.js';
import { locatePacker, type LocateOptions } from './locate.js';

/** Oldest packer Boxwright supports (Debian 12's package). */
export const MIN_PACKER_VERSION = '1.6.6';

const UPGRADE_HINT = 'install packer 1.6.6 or newer (apt-get install packer, or a release from releases.hashicorp.com) or point --packer/PACKER_PATH at one';

/**
 * Read the version from `packer version` output: `Packer v1.6.6`, `Packer v1.11.2` followed by an
 * "out of date" notice, `Packer v1.12.0-dev`, or machine-readable `...,version,1.6.6`.
 *
 * @returns A semver string such as `1.6.6` or `1.12.0-dev`.
 * @throws BoxwrightError `E_PACKER_VERSION` when no version can be read.
 */
export function parsePackerVersion(output: string): string {
  const match = /\bPacker v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(output)
    ?? /^\d+,[^,]*,version,(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\s*$/m.exec(output);
  const version = match?.[1] === undefined ? null : semver.valid(match[1]);
  if (version === null) {
    const shown = output.trim().split('\n')[0]?.slice(0, 120) ?? '';
    throw new BoxwrightError('E_PACKER_VERSION', `could not read a version from \`packer version\` (got "${shown}"): is this HashiCorp Packer? ${UPGRADE_HINT}`);
  }
  return version;
}

/** Major.minor.patch of `version`, ignoring a prerelease tag (a `1.7.0-dev` build counts as 1.7.0). */
export function releaseOf(version: string): string {
  return semver.coerce(version)?.version ?? version;
}

/**
 * Throw when `version` is older than {@link MIN_PACKER_VERSION}.
 *
 * @throws BoxwrightError `E_PACKER_VERSION` with the fix.
 */
export function assertSupportedVersion(version: string): void {
  if (semver.lt(releaseOf(version), MIN_PACKER_VERSION)) {
    throw new BoxwrightError('E_PACKER_VERSION', `packer ${version} is too old (Boxwright needs ${MIN_PACKER_VERSION} or newer): ${UPGRADE_HINT}`);
  }
}

/**
 * Run `packer version` and return its version (semver), without checking the minimum.
 *
 * @throws BoxwrightError `E_PACKER_MISSING` (not found / cannot run) or `E_PACKER_VERSION`.
 */
export async function packerVersion(options: LocateOptions = {}): Promise<string> {
  const packerPath = await locatePacker(options);
  const result = await execa(packerPath, ['version'], {
    reject: false,
    env: { CHECKPOINT_DISABLE: '1', ...options.env },
    stdin: 'ignore',
    timeout: 30_000,
  });
  if (result.failed && result.exitCode === undefined) {
    throw new BoxwrightError('E_PACKER_MISSING', `could not run ${packerPath}: install it with apt-get install packer or set --packer/PACKER_PATH`, { cause: result });
  }
  return parsePackerVersion(`${result.stdout}\n${result.stderr}`);
}
