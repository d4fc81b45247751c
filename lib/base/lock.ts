import { open, readFile, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxwrightError } from '../errors.js';

/**
 * Take an exclusive lock file (created with O_EXCL, holding our PID). A lock whose PID is no
 * longer alive is stale and taken over. While another live process holds it, wait (polling),
 * unless `signal` aborts. Returns the release function.
 */
export async function acquireLock(
  file: string,
  options: { signal?: AbortSignal; onWait?: (pid: number) => void; pollMs?: number } = {},
): Promise<() => Promise<void>> {
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new BoxwrightError('E_CANCELLED', 'the base disk build was cancelled', { cause: options.signal.reason });
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await unlink(file).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
      // Stale (its owner died) or half-written: take it over.
      await unlink(file).catch(() => {});
      continue;
    }
    if (!told) {
      options.onWait?.(pid);
      told = true;
    }
    await sleep(options.pollMs ?? 2000);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
