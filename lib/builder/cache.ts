import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sizeOf } from './box-files.js';
import { sha256File } from '../util/hash.js';
import { type BuildManifest, MANIFEST_FILE } from './manifest.js';

/** A verified earlier build in outDir. */
export interface CachedBuild {
  sha256: string;
  size: number;
  timings: Record<string, number>;
}

/**
 * Returns the earlier build in `outDir` when its manifest records the same inputs hash and the box
 * on disk still has the recorded sha256 (and its `.sha256` file agrees); otherwise undefined.
 */
export async function readCachedBuild(outDir: string, boxName: string, inputsHash: string): Promise<CachedBuild | undefined> {
  const manifestText = await readFile(path.join(outDir, MANIFEST_FILE), 'utf8').catch(() => undefined);
  if (!manifestText) return undefined;
  let manifest: BuildManifest;
  try {
    manifest = JSON.parse(manifestText) as BuildManifest;
  } catch {
    return undefined;
  }
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  if (manifest.inputsHash !== inputsHash || manifest.box?.file !== boxName) return undefined;
  const box = path.join(outDir, boxName);
  const sidecar = await readFile(`${box}.sha256`, 'utf8').catch(() => '');
  if (!sidecar.startsWith(manifest.box.sha256)) return undefined;
  const size = await sizeOf(box).catch(() => -1);
  if (size !== manifest.box.size) return undefined;
  if (await sha256File(box).catch(() => '') !== manifest.box.sha256) return undefined;
  return { sha256: manifest.box.sha256, size, timings: manifest.timings };
}
