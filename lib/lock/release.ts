import { BoxwrightError } from '../errors.js';

/**
 * The `Date:` field of a Debian `Release` (or `InRelease`) file, as ISO 8601 UTC
 * (`Sat, 11 Jul 2026 10:16:37 UTC` → `2026-07-11T10:16:37.000Z`). Only the first paragraph
 * (the header, before the checksum lists) is read; a PGP-signed InRelease is accepted.
 *
 * @throws BoxwrightError `E_BASE` when there is no readable `Date:`.
 */
export function parseReleaseDate(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let start = 0;
  if (lines[0]?.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) {
    // Skip the armor header lines up to the first blank line.
    start = lines.indexOf('', 1) + 1;
  }
  for (let i = start; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line === '' && i > start) break;
    const match = /^Date:\s*(.+?)\s*$/.exec(line);
    if (!match?.[1]) continue;
    const value = match[1].replace(/\bUTC$/, 'GMT');
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new BoxwrightError('E_BASE', `the mirror's Release file has an unreadable Date: ${JSON.stringify(match[1])}`);
    return new Date(ms).toISOString();
  }
  throw new BoxwrightError('E_BASE', 'the mirror\'s Release file has no Date: field; is the URL a Debian mirror?');
}

/** URL of `dists/<suite>/Release` on a mirror. */
export function releaseUrl(mirror: string, suite: string): string {
  return `${mirror.replace(/\/+$/, '')}/dists/${suite}/Release`;
}

/**
 * Fetches `<mirror>/dists/<suite>/Release` over HTTP and returns its `Date:` (ISO 8601 UTC).
 *
 * @throws BoxwrightError `E_BASE` when the mirror does not answer 200 within `timeoutMs` or the file has no date.
 */
export async function fetchReleaseDate(mirror: string, suite: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string> {
  const url = releaseUrl(mirror, suite);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { 'user-agent': 'boxwright-lock' } });
  } catch (cause) {
    throw new BoxwrightError('E_BASE', `could not read ${url} (${String((cause as Error).message ?? cause)}); check the mirror in the apt configuration and the network`, { cause });
  }
  if (!response.ok) {
    throw new BoxwrightError('E_BASE', `${url} answered ${response.status}; check the mirror and the suite name`);
  }
  return parseReleaseDate(await response.text());
}
