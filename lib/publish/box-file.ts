import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { verifyBoxLayout } from '../builder/steps/verify-box.js';
import { BoxwrightError } from '../errors.js';
import type { Provider } from '../image/types.js';

/** What a build's box file name says: `<name>-<version>.<provider>.box`. */
export interface BoxFileName {
  name: string;
  version: string;
  provider: Provider;
}

const PATTERN = /^(.+)-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.(libvirt|virtualbox)\.box$/;

/** Parses a box file name as `buildImage` writes it; `undefined` when it does not fit. */
export function parseBoxFileName(path: string): BoxFileName | undefined {
  const match = PATTERN.exec(basename(path));
  if (!match) return undefined;
  return { name: match[1] as string, version: match[2] as string, provider: match[3] as Provider };
}

/**
 * The `.box` files to publish from a path: the file itself, or every `*.box` in a build's
 * `--out` folder (sorted).
 *
 * @throws {BoxwrightError} `E_USAGE` when the path does not exist or the folder holds no box.
 */
export async function findBoxes(pathOrDir: string): Promise<string[]> {
  let info;
  try {
    info = await stat(pathOrDir);
  } catch (error) {
    throw new BoxwrightError('E_USAGE', `${pathOrDir} does not exist: give a .box file or the --out folder of a build.`, { path: 'box', cause: error });
  }
  if (info.isFile()) return [pathOrDir];
  const boxes = (await readdir(pathOrDir)).filter((f) => f.endsWith('.box')).sort().map((f) => join(pathOrDir, f));
  if (boxes.length === 0) {
    throw new BoxwrightError('E_USAGE', `${pathOrDir} holds no .box file: run boxwright build first, or give the .box path.`, { path: 'box' });
  }
  return boxes;
}

/**
 * Refuses a file that Vagrant could not import as a box for `provider`: the same layout check a
 * build runs on its own box (a gzip tarball holding metadata.json naming the provider).
 *
 * @throws {BoxwrightError} `E_PUBLISH` (path `box`), before anything is written or uploaded.
 */
export async function checkBoxLayout(box: string, provider: string): Promise<void> {
  try {
    await verifyBoxLayout(box, provider);
  } catch (error) {
    throw new BoxwrightError('E_PUBLISH', `${basename(box)} is not a Vagrant box for ${provider} (a gzip tarball holding metadata.json with "provider": "${provider}"): publish the .box a build wrote. Nothing was written.`, { path: 'box', cause: error });
  }
}
