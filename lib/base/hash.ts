import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** sha256 of a file's bytes, as 64 lowercase hex digits (streamed: fine for large disks). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every regular file below `dir`, as sorted POSIX-style relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

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
