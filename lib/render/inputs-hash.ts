import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { listFiles } from '../util/hash.js';

export { listFiles, sha256Hex } from '../util/hash.js';
import path from 'node:path';

/**
 * sha256 over the sorted relative paths and contents of every file under `dir`
 * (each record: path, NUL, size, NUL, content), skipping paths for which `skip` is true.
 * Independent of where the folder is and of timestamps.
 */
export async function hashFolder(dir: string, skip: (relativePath: string) => boolean = () => false): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listFiles(dir)) {
    if (skip(file)) continue;
    const content = await readFile(path.join(dir, file));
    hash.update(`${file}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex');
}
