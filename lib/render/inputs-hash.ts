import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Lists every regular file under `dir` as sorted POSIX relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

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

/** sha256 of a string or buffer, hex. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
