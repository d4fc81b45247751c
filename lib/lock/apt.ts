import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { acquireMutex } from '../util/mutex.js';
import { BoxwrightError } from '../errors.js';

/** Keyring of the Debian archive (package `debian-archive-keyring`). */
export const DEBIAN_ARCHIVE_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/**
 * The apt sources a Debian base gives its guest (the same sources `debian-rootfs.sh` gives the root):
 * `<suite>` and `<suite>-updates` from the mirror, `<suite>-security` from the security mirror
 * (left out when it is `""`), component `main`, signed by the Debian archive keyring.
 */
export function debianGuestSources(mirror: string, securityMirror: string, suite: string): string[] {
  const signed = existsSync(DEBIAN_ARCHIVE_KEYRING) ? `[signed-by=${DEBIAN_ARCHIVE_KEYRING}] ` : '';
  const lines = [`deb ${signed}${mirror} ${suite} main`, `deb ${signed}${mirror} ${suite}-updates main`];
  if (securityMirror !== '') lines.push(`deb ${signed}${securityMirror} ${suite}-security main`);
  return lines;
}

/** `Candidate:` of `apt-cache policy` output, or undefined when there is none. */
export function parsePolicyCandidate(output: string): string | undefined {
  const match = /^\s*Candidate:\s*(\S+)\s*$/m.exec(output);
  return match?.[1] === undefined || match[1] === '(none)' ? undefined : match[1];
}

/** Options of {@link aptCandidate}. */
export interface AptCandidateOptions {
  /** Parent folder of the private apt state (`<cacheDir>/lock/apt-<hash>/`). */
  cacheDir: string;
  /** Architecture of the guest. @default "amd64" */
  architecture?: string;
  /**
   * What identifies the state of the sources (e.g. the `Date:` of each suite's Release file).
   * When it equals the one of the last `apt-get update` in the same state folder, the update is
   * skipped: the package lists are those of the same Release files.
   */
  freshness?: string;
  signal?: AbortSignal;
}

/**
 * The version apt would install for `pkg` from exactly `sources` (and nothing else of the host's
 * apt: not its sources, pins, or installed packages). Runs the host's `apt-get update` and
 * `apt-cache policy` against a private state folder, so the host's own apt state is not touched
 * and a host with extra repositories (e.g. NodeSource) still reports what the guest will get.
 *
 * @returns the candidate version, or undefined when apt knows no such package in those sources.
 * @throws BoxwrightError `E_HOST` when apt-get is missing, `E_BASE` when `apt-get update` fails.
 */
export async function aptCandidate(pkg: string, sources: readonly string[], options: AptCandidateOptions): Promise<string | undefined> {
  if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) throw new TypeError(`not a Debian package name: ${pkg}`);
  const arch = options.architecture ?? 'amd64';
  const key = createHash('sha256').update(`${arch}\n${sources.join('\n')}`).digest('hex').slice(0, 16);
  const dir = path.join(path.resolve(options.cacheDir), 'lock', `apt-${key}`);
  for (const sub of ['lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d']) {
    await mkdir(path.join(dir, sub), { recursive: true });
  }
  await writeFile(path.join(dir, 'sources.list'), `${sources.join('\n')}\n`);
  await writeFile(path.join(dir, 'status'), '', { flag: 'a' });
  const config = [
    `Dir::State=${dir}`,
    `Dir::State::Lists=${path.join(dir, 'lists')}`,
    `Dir::State::status=${path.join(dir, 'status')}`,
    `Dir::Cache=${path.join(dir, 'cache')}`,
    `Dir::Etc::SourceList=${path.join(dir, 'sources.list')}`,
    `Dir::Etc::SourceParts=${path.join(dir, 'sources.list.d')}`,
    `Dir::Etc::Preferences=${path.join(dir, 'preferences')}`,
    `Dir::Etc::PreferencesParts=${path.join(dir, 'preferences.d')}`,
    `APT::Architecture=${arch}`,
    `APT::Architectures=${arch}`,
    'Acquire::Languages=none',
    // The mirror here is a dated snapshot: its Release files may be past their Valid-Until.
    'Acquire::Check-Valid-Until=false',
    'Acquire::Retries=3',
    ...(process.getuid?.() === 0 ? ['APT::Sandbox::User=root'] : []),
  ].flatMap((setting) => ['-o', setting]);

  // One apt run per state folder at a time (apt's own lock would make a second one fail).
  const release = await acquireMutex(`${dir}.lock`, { ...(options.signal ? { signal: options.signal } : {}), pollMs: 500 });
  try {
    const run = (file: string, args: string[]) => execa(file, [...config, ...args], {
      reject: false, stdin: 'ignore', all: true, timeout: 300_000, env: { LC_ALL: 'C' },
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
    const stampFile = path.join(dir, 'updated-for');
    const stamp = await readFile(stampFile, 'utf8').catch(() => undefined);
    if (options.freshness === undefined || stamp !== options.freshness) {
      await rm(stampFile, { force: true });
      const update = await run('apt-get', ['-q', 'update']);
      if (update.exitCode === undefined && (update as { code?: string }).code === 'ENOENT') {
        throw new BoxwrightError('E_HOST', 'apt-get is not installed on this host: the guest\'s nodejs version cannot be read here; run `boxwright lock` on a Debian or Ubuntu host');
      }
      if (options.signal?.aborted) throw new BoxwrightError('E_CANCELLED', 'the lock resolution was cancelled', { cause: options.signal.reason });
      const failed = update.exitCode !== 0 || /^(E:|W: Failed to fetch)/m.test(String(update.all ?? ''));
      if (failed) {
        const tail = String(update.all ?? '').split('\n').slice(-8).join('\n');
        throw new BoxwrightError('E_BASE', `apt-get update of the guest's sources failed (exit ${update.exitCode ?? '?'}); check the mirror:\n${tail}`, { cause: update });
      }
      if (options.freshness !== undefined) await writeFile(stampFile, options.freshness);
    }
    const policy = await run('apt-cache', ['policy', pkg]);
    if (policy.exitCode !== 0) throw new BoxwrightError('E_BASE', `apt-cache policy ${pkg} failed: ${String(policy.all ?? '').trim()}`);
    return parsePolicyCandidate(String(policy.stdout ?? ''));
  } finally {
    await release();
  }
}
