import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { BoxwrightError } from '../errors.js';

/** Options of {@link locatePacker}. */
export interface LocateOptions {
  /** Explicit packer binary (a path, or a name looked up on PATH). Wins over `PACKER_PATH`. */
  packerPath?: string;
  /** Environment to read `PACKER_PATH` and `PATH` from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

const HINT = 'install it with apt-get install packer or set --packer/PACKER_PATH';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function searchPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Find the packer binary: `options.packerPath`, else the `PACKER_PATH` environment variable,
 * else `packer` on `PATH`. Returns an absolute path.
 *
 * @throws BoxwrightError `E_PACKER_MISSING` when it is not there or not executable.
 */
export async function locatePacker(options: LocateOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const explicit = options.packerPath ?? (env.PACKER_PATH === '' ? undefined : env.PACKER_PATH);
  const origin = options.packerPath !== undefined ? '--packer' : 'PACKER_PATH';
  if (explicit !== undefined) {
    const found = explicit.includes('/') || explicit.includes(path.sep)
      ? ((await isExecutableFile(explicit)) ? path.resolve(explicit) : undefined)
      : await searchPath(explicit, env);
    if (found) return found;
    throw new BoxwrightError('E_PACKER_MISSING', `packer not found at ${explicit} (from ${origin}): ${HINT}`);
  }
  const found = await searchPath('packer', env);
  if (found) return found;
  throw new BoxwrightError('E_PACKER_MISSING', `packer not found on PATH: ${HINT}`);
}
