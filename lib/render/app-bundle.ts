import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { BoxwrightError } from '../errors.js';
import { defaultCacheDir } from '../base/paths.js';
import { hashFolder } from './inputs-hash.js';

/** The app bundle made on the host: a deterministic tar.gz of the app with its production dependencies. */
export interface AppBundle {
  /** Path of the cached tar.gz. */
  path: string;
  /** sha256 of the app's source files (node_modules excluded) — the cache key. */
  sourceHash: string;
  /** True when the bundle came from the cache. */
  cached: boolean;
}

export { defaultCacheDir };

const SKIP = new Set(['node_modules', '.git']);

/**
 * Bundles the app folder: copies its sources (without node_modules/.git), runs
 * `npm ci --omit=dev --ignore-scripts` when it has a package-lock.json, and packs it as a
 * reproducible tar.gz (sorted names, mtime 0, uid/gid 0, `gzip -n`). Cached by source hash, so a
 * second render costs a hash of the sources. The guest never runs npm.
 */
export async function bundleApp(sourceDir: string, cacheDir = defaultCacheDir()): Promise<AppBundle> {
  const info = await stat(sourceDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new BoxwrightError('E_SPEC_INVALID', `image spec: app.source: folder ${sourceDir} does not exist; create it or point app.source at the app folder`, { path: 'app.source' });
  }
  const sourceHash = await hashSources(sourceDir);
  const target = path.join(cacheDir, 'app', `${sourceHash}.tar.gz`);
  if (existsSync(target)) return { path: target, sourceHash, cached: true };

  await mkdir(path.dirname(target), { recursive: true });
  const work = await mkdtemp(path.join(path.dirname(target), '.bundle-'));
  try {
    const tree = path.join(work, 'app');
    await cp(sourceDir, tree, { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) });
    if (existsSync(path.join(tree, 'package-lock.json'))) {
      await execa('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tree })
        .catch((cause: unknown) => {
          throw new BoxwrightError('E_RENDER', `npm ci failed in a copy of ${sourceDir}; run \`npm ci\` there to see why`, { cause });
        });
      await rm(path.join(tree, 'node_modules', '.package-lock.json'), { force: true });
    }
    const tarball = path.join(work, 'app.tar.gz');
    await execa('bash', ['-c',
      'set -o pipefail; tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=u+rw,go=rX,go-w --format=gnu -C "$1" -cf - . | gzip -n -9 > "$2"',
      'bundle', tree, tarball]);
    await rename(tarball, target);
    return { path: target, sourceHash, cached: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Hash of the app's own files (the bundle's cache key and `AppBundle.sourceHash`): node_modules
 * and .git are left out (npm ci remakes them). Reading only, nothing is bundled.
 */
export function hashSources(sourceDir: string): Promise<string> {
  // Skipped folders are never entered; a file of the same name (a worktree's .git file) is skipped too.
  return hashFolder(sourceDir, (file) => SKIP.has(path.posix.basename(file)), (name) => SKIP.has(name));
}
