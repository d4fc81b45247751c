import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BoxwrightError } from '../errors.js';

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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock file (holding this process's pid) for the duration of `fn`.
 * A lock left by a process that no longer runs is taken over.
 *
 * @throws {BoxwrightError} `E_PUBLISH` when another live process holds the lock.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        throw new BoxwrightError('E_PUBLISH', `Cannot lock ${lockPath}: another publish is running into this catalog; wait for it, or delete the file if no publish runs.`, { cause: error });
      }
      const pid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new BoxwrightError('E_PUBLISH', `Catalog is locked by process ${pid} (${lockPath}): wait for that publish to finish.`);
      }
      await unlink(lockPath).catch(() => undefined);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
