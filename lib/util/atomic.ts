import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A function run between writing the temp file and renaming it over the target (tests use it to fail there). */
export type BeforeRename = (tempPath: string, finalPath: string) => void | Promise<void>;

function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function commit(temp: string, finalPath: string, beforeRename?: BeforeRename): Promise<void> {
  try {
    await fsyncPath(temp);
    await beforeRename?.(temp, finalPath);
    await rename(temp, finalPath);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Writes `data` to a temp file in the target's folder, flushes it, then renames it over
 * `finalPath`: a reader sees the old file or the new one, never half of one.
 */
export async function writeFileAtomic(finalPath: string, data: string, beforeRename?: BeforeRename): Promise<void> {
  const temp = tempPathFor(finalPath);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data, 'utf8');
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await commit(temp, finalPath, beforeRename);
}

/** Copies `source` to a temp file beside `finalPath`, flushes it, then renames it into place. */
export async function copyFileAtomic(source: string, finalPath: string, beforeRename?: BeforeRename): Promise<void> {
  const temp = tempPathFor(finalPath);
  try {
    await copyFile(source, temp, constants.COPYFILE_EXCL);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await commit(temp, finalPath, beforeRename);
}
