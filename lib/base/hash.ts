import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from '../util/hash.js';


/**
 * A stable sha256 over named values and the contents of the files under `dir` that `include`
 * accepts (all by default).
 * Values are hashed as `key=value` lines in the given key order; files as
 * `file <relative path> <length>` followed by their bytes, in sorted path order.
 */
export async function hashRecipe(
  dir: string,
  values: ReadonlyArray<readonly [string, string]>,
  include: (relativePath: string) => boolean = () => true,
): Promise<string> {
  const hash = createHash('sha256');
  for (const [key, value] of values) hash.update(`${key}=${JSON.stringify(value)}\n`);
  for (const rel of (await listFiles(dir)).filter(include)) {
    const bytes = await readFile(path.join(dir, rel));
    hash.update(`file ${rel} ${bytes.length}\n`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
