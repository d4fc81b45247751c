import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { labFileFor, writeLabFile } from '../../lab/lab-file.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { sha256sumLine } from '../box-files.js';
import { MANIFEST_FILE } from '../manifest.js';
import { need, type BuildState, type BuildStep } from '../state.js';

/** The files this step writes into outDir, in the order it writes them. */
export function outFiles(outDir: string, boxName: string): { box: string; checksum: string; lab: string; manifest: string } {
  const box = path.join(outDir, boxName);
  return { box, checksum: `${box}.sha256`, lab: path.join(outDir, 'lab.json'), manifest: path.join(outDir, MANIFEST_FILE) };
}

const written = new WeakMap<BuildState, string[]>();

/**
 * Publishes into outDir: the box first (rename on one filesystem), then its checksum, the lab
 * file, and the manifest last — the manifest is what marks a finished build. A build that fails
 * after this step started leaves none of them.
 */
export const publishToOut: BuildStep = {
  name: 'publish-to-out',
  async run(state) {
    const plan = need(state.plan, 'plan');
    const box = need(state.box, 'box');
    const manifest = need(state.manifest, 'manifest');
    const files = outFiles(state.outDir, plan.boxName);
    written.set(state, Object.values(files));
    await rm(files.manifest, { force: true });
    await rename(box.path, files.box);
    await writeFileAtomic(files.checksum, sha256sumLine(box.sha256, files.box));
    await writeLabFile(state.outDir, labFileFor(state.spec, { boxPath: files.box, provider: plan.provider, outDir: state.outDir, accelerator: plan.accelerator }));
    await writeFileAtomic(files.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    state.emit({ type: 'artifact', path: files.box, sha256: box.sha256, size: box.size });
    state.result = { box: files.box, sha256: box.sha256, size: box.size, manifestPath: files.manifest, inputsHash: manifest.inputsHash, cached: false, timings: manifest.timings };
  },
  async cleanup(state, failed) {
    if (!failed) return;
    for (const file of written.get(state) ?? []) await rm(file, { force: true });
  },
};
