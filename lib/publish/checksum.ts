import { SHA256_HEX, sha256File } from '../util/hash.js';
import { readFile } from 'node:fs/promises';
import { BoxwrightError } from '../errors.js';

/** True when `value` is 64 hex digits (any case). */
export function isSha256(value: string): boolean {
  return SHA256_HEX.test(value.trim().toLowerCase());
}

/**
 * The digest in a sha256sum-format sidecar (`<hex>  <file>` or `<hex> *<file>`), or `undefined`
 * when `<box>.sha256` does not exist.
 *
 * @throws {BoxwrightError} `E_CHECKSUM` when the sidecar exists but holds no sha256.
 */
export async function readSidecar(box: string): Promise<string | undefined> {
  const sidecar = `${box}.sha256`;
  let text: string;
  try {
    text = await readFile(sidecar, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BoxwrightError('E_CHECKSUM', `Cannot read ${sidecar}: check its permissions.`, { cause: error });
  }
  const first = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!SHA256_HEX.test(first)) {
    throw new BoxwrightError('E_CHECKSUM', `${sidecar} holds no sha256 (expected "<64 hex digits>  <file>"): rebuild the box or fix the file.`);
  }
  return first;
}

/** What {@link verifyBox} found. */
export interface VerifiedBox {
  /** The box's sha256, lower-case hex. */
  sha256: string;
  /** Where the expected value came from; `none` when there was nothing to compare with. */
  source: 'option' | 'sidecar' | 'none';
}

/**
 * Hashes `box` and compares it with `expected`, or else with its `.sha256` sidecar.
 * With neither, returns the computed digest with `source: "none"`.
 *
 * @throws {BoxwrightError} `E_CHECKSUM` when the digests differ or `expected` is not a sha256.
 */
export async function verifyBox(box: string, expected?: string): Promise<VerifiedBox> {
  let want: string | undefined;
  let source: VerifiedBox['source'] = 'none';
  if (expected !== undefined) {
    if (!isSha256(expected)) {
      throw new BoxwrightError('E_CHECKSUM', `"${expected}" is not a sha256 digest: give 64 hex digits.`, { path: 'checksum' });
    }
    want = expected.trim().toLowerCase();
    source = 'option';
  } else {
    want = await readSidecar(box);
    if (want !== undefined) source = 'sidecar';
  }
  let actual: string;
  try {
    actual = await sha256File(box);
  } catch (error) {
    throw new BoxwrightError('E_PUBLISH', `Cannot read box ${box}: check the path.`, { path: 'box', cause: error });
  }
  if (want !== undefined && want !== actual) {
    throw new BoxwrightError(
      'E_CHECKSUM',
      `sha256 of ${box} is ${actual}, expected ${want} (from ${source === 'option' ? 'the checksum option' : `${box}.sha256`}): the file is corrupt or not the one built; rebuild it.`,
      { path: 'checksum' },
    );
  }
  return { sha256: actual, source };
}
