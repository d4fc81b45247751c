import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from '../util/hash.js';

/** One file of a folder being hashed: its relative POSIX path and its bytes. */
export interface HashedFile {
  path: string;
  content: string | Buffer;
}

/**
 * sha256 over files given in memory, sorted by path (each record: path, NUL, byte size, NUL,
 * content). The same records as {@link hashFolder} reads from disk, so both agree on a folder.
 */
export function hashFiles(files: readonly HashedFile[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const bytes = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
    hash.update(`${file.path}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/**
 * sha256 over the sorted relative paths and contents of every file under `dir` (see
 * {@link hashFiles}), skipping paths for which `skip` is true and never entering folders whose
 * name `skipFolder` accepts. Independent of where the folder is and of timestamps.
 */
export async function hashFolder(
  dir: string,
  skip: (relativePath: string) => boolean = () => false,
  skipFolder: (name: string) => boolean = () => false,
): Promise<string> {
  const files = (await listFiles(dir, skipFolder)).filter((file) => !skip(file));
  const contents = await Promise.all(files.map((file) => readFile(path.join(dir, file))));
  return hashFiles(files.map((file, i) => ({ path: file, content: contents[i]! })));
}
