import { rmSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listFiles } from '../../lib/util/hash.js';
import type { HostFacts } from '../../lib/plan/host.js';
import { loadImage } from '../../lib/image/load.js';
import type { ImageSpec } from '../../lib/image/types.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const imageDir = path.join(repoRoot, 'images', 'foobar-web');

/** Host facts that make plans the same on every machine: no usable KVM, root (chroot allowed). */
export const HOST: HostFacts = { kvmDevice: false, nestedPvm: true, root: true };

/**
 * Cache folder for app bundles shared by every test file and run: the first render runs `npm ci`
 * for the sample app (~20 s); every later render reads the bundle (keyed by the app's source hash,
 * written atomically by bundleApp, so parallel test files cannot see half a bundle).
 * `BOXWRIGHT_TEST_CACHE` overrides it.
 */
export const testCacheDir = process.env.BOXWRIGHT_TEST_CACHE
  ?? path.join(os.tmpdir(), `boxwright-test-cache-${process.getuid?.() ?? 'user'}`);

/** A temp folder for one test file; `cleanup` removes it (call it from `test.after.always`). */
export async function tempRoot(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  // Backstop: a file whose tests are all filtered out (e.g. by --match) never runs its after hooks.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The foobar-web spec with `change` applied per section (a shallow merge of each section). */
export async function sampleSpec(change: Partial<Record<keyof ImageSpec, unknown>> = {}): Promise<ImageSpec> {
  const spec = await loadImage(imageDir);
  const merged: Record<string, unknown> = { ...spec };
  for (const [key, value] of Object.entries(change)) {
    const current = merged[key];
    merged[key] = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof current === 'object' && current !== null && !Array.isArray(current)
      ? { ...current, ...value } : value;
  }
  return merged as unknown as ImageSpec;
}

/** Every regular file under `dir` (relative path → bytes). */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const tree = new Map<string, Buffer>();
  for (const file of await listFiles(dir)) tree.set(file, await readFile(path.join(dir, file)));
  return tree;
}

/** Every entry under `dir` (files, folders, links) as sorted relative paths. */
export async function listEntries(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name))).sort();
}

/** Copies the sample image folder (image.json + app without node_modules) to `dir`, replacing image.json by `spec`. */
export async function writeImageFolder(dir: string, spec: Record<string, unknown>): Promise<string> {
  await cp(path.join(imageDir, 'app'), path.join(dir, 'app'), { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' });
  await writeFile(path.join(dir, 'image.json'), `${JSON.stringify(spec, null, 2)}\n`);
  return dir;
}

/** The sample image.json as parsed JSON (a fresh copy). */
export async function sampleImageJson(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(imageDir, 'image.json'), 'utf8')) as Record<string, unknown>;
}
