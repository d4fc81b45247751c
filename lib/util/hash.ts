import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** A sha256 digest as written everywhere in Boxwright: 64 lowercase hex digits. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** sha256 of a string or buffer, 64 lowercase hex digits. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of a file's bytes, 64 lowercase hex digits (streamed: fine for large disks and boxes). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Every regular file below `dir`, as sorted POSIX-style relative paths. Folders whose name
 * `skipFolder` accepts are not entered at all (e.g. node_modules, which can hold thousands of files).
 */
export async function listFiles(dir: string, skipFolder: (name: string) => boolean = () => false): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    await Promise.all(entries.map(async (entry) => {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skipFolder(entry.name)) await walk(child);
      } else if (entry.isFile()) {
        found.push(child);
      }
    }));
  };
  await walk('');
  return found.sort();
}
