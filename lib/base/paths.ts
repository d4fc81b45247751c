import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Folder of the base-disk scripts shipped with Boxwright (`provisioners/base/`).
 * Resolved from this module, so it works from `lib/` (tsx) and from `dist/` alike.
 */
export function baseScriptsDir(): string {
  return fileURLToPath(new URL('../../provisioners/base/', import.meta.url));
}

/**
 * Boxwright's cache folder (base disks, app bundles): `$BOXWRIGHT_CACHE`, else
 * `$XDG_CACHE_HOME/boxwright`, else `~/.cache/boxwright`.
 * @param env - environment to read the variables from. @default process.env
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env['BOXWRIGHT_CACHE'];
  if (own !== undefined && own !== '' && path.isAbsolute(own)) return own;
  const xdg = env['XDG_CACHE_HOME'];
  const root = xdg !== undefined && xdg !== '' && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache');
  return path.join(root, 'boxwright');
}
