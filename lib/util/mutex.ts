import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxwrightError } from '../errors.js';
import { pidAlive } from './pid.js';

/**
 * The one inter-process mutex of Boxwright (catalog folders, the base cache, the apt state folder).
 *
 * A mutex is a file whose whole content (`pid host token`) is written to a private temp file first
 * and then `link()`ed into place, so it never exists half-written. It is taken over only when its
 * owner is a dead process on this host (or it is empty, foreign and older than
 * {@link MutexOptions.staleAfterMs}); the takeover re-checks the file's inode under a short-lived
 * breaker file, so two processes that both judged it stale cannot remove a third one's fresh mutex.
 * Only the owner removes it (release checks its token).
 *
 * ("lock" in Boxwright means the pin file boxwright.lock.json; this is a mutex.)
 */
export interface MutexOptions {
  /** Wait for a live owner (polling) instead of failing at once. @default true */
  wait?: boolean;
  /** Stops the wait. */
  signal?: AbortSignal;
  /** Called once when the mutex is held by another live process. */
  onWait?: (owner: MutexOwner) => void;
  /** @default 200 */
  pollMs?: number;
  /** An empty or unreadable mutex file older than this is stale; younger, it is live. @default 30000 */
  staleAfterMs?: number;
  /** Message of the error thrown when `wait` is false and another process holds it. */
  busyMessage?: (owner: MutexOwner) => string;
}

/** Who holds a mutex, as its file says. */
export interface MutexOwner {
  pid: number;
  host: string;
  token: string;
}

/** Releases a held mutex; a second call does nothing. */
export type ReleaseMutex = () => Promise<void>;

function parseOwner(text: string): MutexOwner | undefined {
  const [pid, host, token] = text.trim().split(/\s+/);
  const number = Number(pid);
  if (!Number.isInteger(number) || number <= 0 || !host || !token) return undefined;
  return { pid: number, host, token };
}


/** Links a file holding `content` to `target`; false when `target` exists. */
async function linkNew(target: string, content: string): Promise<boolean> {
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, content, { flag: 'wx', mode: 0o644 });
  try {
    await link(temp, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Whether the mutex at `file` (inode `ino`, content `text`, modified at `mtimeMs`) is stale. */
function isStale(text: string, mtimeMs: number, staleAfterMs: number): boolean {
  const owner = parseOwner(text);
  if (!owner) return Date.now() - mtimeMs > staleAfterMs;
  if (owner.host !== hostname()) return false;
  return !pidAlive(owner.pid);
}

/** Removes `file` only if it is still the inode judged stale, under a breaker mutex. */
async function breakStale(file: string, ino: number, staleAfterMs: number): Promise<void> {
  const breaker = `${file}.break`;
  const token = randomBytes(8).toString('hex');
  if (!(await linkNew(breaker, `${process.pid} ${hostname()} ${token}\n`))) {
    // Someone else is breaking it; a breaker left by a crash is removed once old.
    const info = await stat(breaker).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > staleAfterMs) await unlink(breaker).catch(() => undefined);
    return;
  }
  try {
    const now = await stat(file).catch(() => undefined);
    if (now && now.ino === ino) await unlink(file).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

/**
 * Takes the mutex at `file`. Returns its release function.
 *
 * @throws {BoxwrightError} `E_CANCELLED` when `signal` aborts the wait; `E_BUSY` when `wait` is
 *   false and a live process holds it.
 */
export async function acquireMutex(file: string, options: MutexOptions = {}): Promise<ReleaseMutex> {
  const token = randomBytes(12).toString('hex');
  const content = `${process.pid} ${hostname()} ${token}\n`;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new BoxwrightError('E_CANCELLED', `cancelled while waiting for ${file}`, { cause: options.signal.reason });
    if (await linkNew(file, content)) {
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        const text = await readFile(file, 'utf8').catch(() => '');
        if (parseOwner(text)?.token === token) await unlink(file).catch(() => undefined);
      };
    }
    const info = await stat(file).catch(() => undefined);
    if (!info) continue;
    const text = await readFile(file, 'utf8').catch(() => '');
    if (isStale(text, info.mtimeMs, staleAfterMs)) {
      await breakStale(file, info.ino, staleAfterMs);
      continue;
    }
    const owner = parseOwner(text) ?? { pid: 0, host: '?', token: '' };
    if (options.wait === false) {
      throw new BoxwrightError('E_BUSY', options.busyMessage?.(owner) ?? `${file} is held by process ${owner.pid}; wait for it to finish`);
    }
    if (!told) {
      options.onWait?.(owner);
      told = true;
    }
    await sleep(options.pollMs ?? 200, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
  }
}

/** Runs `fn` holding the mutex at `file`; releases it however `fn` ends. */
export async function withMutex<T>(file: string, fn: () => Promise<T>, options: MutexOptions = {}): Promise<T> {
  const release = await acquireMutex(file, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Reads who holds the mutex at `file`, if anyone. */
export async function mutexOwner(file: string): Promise<MutexOwner | undefined> {
  return parseOwner(await readFile(file, 'utf8').catch(() => ''));
}
