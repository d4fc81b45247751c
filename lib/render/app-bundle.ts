import { existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { BoxwrightError } from '../errors.js';
import { defaultCacheDir } from '../base/paths.js';
import { APP_IGNORE_FILE, ignoreMatcher, type IgnoreMatcher } from './app-ignore.js';
import { hashFiles } from './inputs-hash.js';

/** The app bundle made on the host: a deterministic tar.gz of the app with its production dependencies. */
export interface AppBundle {
  /** Path of the cached tar.gz. */
  path: string;
  /** sha256 of the app's bundled source files (ignored files and node_modules left out) — the cache key. */
  sourceHash: string;
  /** True when the bundle came from the cache. */
  cached: boolean;
}

export { defaultCacheDir };

/** Which app to bundle: `app.source` (relative to the image folder, as in image.json) of the image in `imageDir`. */
export interface AppSource {
  /** The image folder (holding image.json). */
  imageDir: string;
  /** `app.source` of the spec. */
  source: string;
}
export { DEFAULT_APP_IGNORE, APP_IGNORE_FILE } from './app-ignore.js';

/** Bumped when what goes into a bundle changes, so bundles cached by an older rule are not reused. */
const BUNDLE_FORMAT = 'boxwright-app-bundle/2';

/** One entry of the app's own tree that goes into the bundle. */
interface AppEntry {
  /** POSIX path relative to the app folder. */
  path: string;
  kind: 'file' | 'dir' | 'link';
  /** Link target, as written (links only). */
  target?: string;
  /** File mode bits (files only: only the executable bit is kept in the bundle). */
  mode?: number;
}

const invalidSource = (message: string, cause?: unknown): BoxwrightError =>
  new BoxwrightError('E_SPEC_INVALID', `image spec: app.source: ${message}`, { path: 'app.source', ...(cause === undefined ? {} : { cause }) });

const inside = (parent: string, child: string): boolean => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

/**
 * The real path of `app.source`, which must be a folder inside the image folder after every
 * symlink is resolved (a link out of it is refused: the bundle takes only what the image holds).
 *
 * @throws BoxwrightError `E_SPEC_INVALID` (path `app.source`) when it is missing, not a folder, or outside.
 */
export async function resolveAppSource(imageDir: string, source: string): Promise<string> {
  const imageReal = await realpath(imageDir).catch((cause: unknown) => {
    throw invalidSource(`the image folder ${imageDir} cannot be read`, cause);
  });
  const wanted = path.resolve(imageDir, source);
  const real = await realpath(wanted).catch((cause: unknown) => {
    throw invalidSource(`folder ${wanted} does not exist; create it or point app.source at the app folder`, cause);
  });
  if (!inside(imageReal, real)) {
    throw invalidSource(`${JSON.stringify(source)} resolves to ${real}, outside the image folder ${imageReal}; move the app into the image folder (a symlink out of it is not followed)`);
  }
  if (!(await stat(real)).isDirectory()) throw invalidSource(`${wanted} is not a folder; point app.source at the app folder`);
  return real;
}

async function readIgnoreFile(appDir: string): Promise<string[]> {
  const file = path.join(appDir, APP_IGNORE_FILE);
  const info = await lstat(file).catch(() => undefined);
  if (!info) return [];
  if (!info.isFile()) throw invalidSource(`${file} must be a regular file of patterns`);
  return (await readFile(file, 'utf8')).split(/\r?\n/);
}

/**
 * The app's own entries that go into the bundle, sorted: ignored paths left out (their folders
 * not entered), symlinks kept as links only when they resolve inside the app folder.
 *
 * @throws BoxwrightError `E_SPEC_INVALID` (path `app.source`) for a symlink that leaves the app
 *   folder or dangles, or an entry that is neither a file, a folder nor a link.
 */
async function appEntries(appDir: string, ignored: IgnoreMatcher): Promise<AppEntry[]> {
  const entries: AppEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(path.join(appDir, relative))).sort();
    for (const name of names) {
      const rel = relative ? `${relative}/${name}` : name;
      const full = path.join(appDir, rel);
      const info = await lstat(full);
      if (ignored(rel, info.isDirectory())) continue;
      if (info.isSymbolicLink()) {
        const target = await readlink(full);
        const real = await realpath(full).catch(() => undefined);
        if (real === undefined || !inside(appDir, real)) {
          throw invalidSource(`${full} is a symlink to ${target}, ${real === undefined ? 'which does not exist' : 'outside the app folder'}; copy the file into the app folder or remove the link (links out of the image are never followed)`);
        }
        entries.push({ path: rel, kind: 'link', target });
      } else if (info.isDirectory()) {
        entries.push({ path: rel, kind: 'dir' });
        await walk(rel);
      } else if (info.isFile()) {
        entries.push({ path: rel, kind: 'file', mode: info.mode & 0o111 ? 0o755 : 0o644 });
      } else {
        throw invalidSource(`${full} is not a regular file, folder or symlink; remove it or list it in ${APP_IGNORE_FILE}`);
      }
    }
  };
  await walk('');
  return entries;
}

async function hashEntries(appDir: string, entries: readonly AppEntry[], ignoreLines: readonly string[]): Promise<string> {
  const files = await Promise.all(entries.map(async (entry) => {
    if (entry.kind === 'dir') return { path: `${entry.path}/`, content: 'dir' };
    if (entry.kind === 'link') return { path: entry.path, content: `link ${entry.target ?? ''}` };
    return { path: entry.path, content: Buffer.concat([Buffer.from(`${(entry.mode ?? 0).toString(8)}\0`), await readFile(path.join(appDir, entry.path))]) };
  }));
  return hashFiles([{ path: `\0${BUNDLE_FORMAT}`, content: ignoreLines.join('\n') }, ...files]);
}

/**
 * Hash of what the bundle of `app.source` takes from the image (`AppBundle.sourceHash`, the
 * bundle's cache key and the lock's `app.sourceHash`): the app's own files after the ignore rules.
 * Reading only; refuses a source or a symlink that leaves the image / app folder.
 */
export async function hashSources({ imageDir, source }: AppSource): Promise<string> {
  const appDir = await resolveAppSource(imageDir, source);
  const ignoreLines = await readIgnoreFile(appDir);
  return hashEntries(appDir, await appEntries(appDir, ignoreMatcher(ignoreLines)), ignoreLines);
}

/**
 * Bundles `app.source` of the image in `imageDir`: copies the app's own entries (without what the
 * ignore rules leave out: `.env*`, `.npmrc`, `.git`, keys, node_modules, and the patterns of the
 * app's `.boxwrightignore`) into a private folder of the cache, runs
 * `npm ci --omit=dev --ignore-scripts` there when it has a package-lock.json (with the app's
 * `.npmrc`, if any, for that run only), and packs it as a reproducible tar.gz (sorted names,
 * mtime 0, uid/gid 0, group-readable, nothing for others, `gzip -n`). npm never runs in the
 * image folder or anywhere a link points. Cached by source hash. The guest never runs npm.
 *
 * @throws BoxwrightError `E_SPEC_INVALID` (path `app.source`) for a source outside the image folder
 *   or a symlink out of the app folder; `E_RENDER` when npm ci fails.
 */
export async function bundleApp({ imageDir, source }: AppSource, cacheDir = defaultCacheDir()): Promise<AppBundle> {
  const appDir = await resolveAppSource(imageDir, source);
  const ignoreLines = await readIgnoreFile(appDir);
  const entries = await appEntries(appDir, ignoreMatcher(ignoreLines));
  const sourceHash = await hashEntries(appDir, entries, ignoreLines);
  const target = path.join(cacheDir, 'app', `${sourceHash}.tar.gz`);
  if (existsSync(target)) return { path: target, sourceHash, cached: true };

  await mkdir(path.dirname(target), { recursive: true });
  const work = await mkdtemp(path.join(path.dirname(target), '.bundle-'));
  try {
    const tree = path.join(work, 'app');
    await mkdir(tree, { mode: 0o700 });
    for (const entry of entries) {
      const dest = path.join(tree, entry.path);
      if (entry.kind === 'dir') await mkdir(dest);
      else if (entry.kind === 'link') await symlink(entry.target!, dest);
      else await copyFile(path.join(appDir, entry.path), dest);
    }
    if (entries.some((entry) => entry.path === 'package-lock.json' && entry.kind === 'file')) {
      const npmrc = path.join(appDir, '.npmrc');
      const hasNpmrc = (await lstat(npmrc).catch(() => undefined))?.isFile() === true;
      if (hasNpmrc) await copyFile(npmrc, path.join(tree, '.npmrc'));
      await execa('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tree })
        .catch((cause: unknown) => {
          throw new BoxwrightError('E_RENDER', `npm ci failed in a copy of ${appDir}; run \`npm ci\` there to see why`, { cause });
        });
      await rm(path.join(tree, 'node_modules', '.package-lock.json'), { force: true });
      if (hasNpmrc) await rm(path.join(tree, '.npmrc'), { force: true });
    }
    const tarball = path.join(work, 'app.tar.gz');
    await execa('bash', ['-c',
      'set -o pipefail; tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=u+rw,g=rX,g-w,o= --format=gnu -C "$1" -cf - . | gzip -n -9 > "$2"',
      'bundle', tree, tarball]);
    await rename(tarball, target);
    return { path: target, sourceHash, cached: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
