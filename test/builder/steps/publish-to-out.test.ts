import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { outFiles, publishToOut } from '../../../lib/builder/steps/publish-to-out.js';
import type { BuildManifest } from '../../../lib/builder/manifest.js';
import { stateFor, tempDir } from './helpers.js';

async function ready(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  const outDir = path.join(dir, 'out');
  await mkdir(outDir);
  const state = await stateFor(outDir);
  const built = path.join(dir, 'built.box');
  await writeFile(built, 'box');
  state.box = { path: built, sha256: 'a'.repeat(64), size: 3 };
  state.manifest = { inputsHash: 'k'.repeat(64), timings: { totalMs: 1 } } as unknown as BuildManifest;
  return state;
}

test('publish-to-out moves the box into outDir and writes its checksum, lab.json and the manifest', async (t) => {
  const state = await ready(t);
  await publishToOut.run(state);
  const files = outFiles(state.outDir, state.plan!.boxName);
  t.deepEqual((await readdir(state.outDir)).sort(), Object.values(files).map((file) => path.basename(file)).sort());
  t.is(await readFile(files.checksum, 'utf8'), `${'a'.repeat(64)}  ${state.plan!.boxName}\n`);
  t.is(JSON.parse(await readFile(files.manifest, 'utf8')).inputsHash, 'k'.repeat(64));
  t.deepEqual(state.result, { box: files.box, sha256: 'a'.repeat(64), size: 3, manifestPath: files.manifest, inputsHash: 'k'.repeat(64), cached: false, timings: { totalMs: 1 } });
  t.deepEqual(state.events.map((e) => e.type), ['artifact']);
  await publishToOut.cleanup!(state, false);
  t.true(existsSync(files.box), 'a finished build keeps its files');
});

test('when the build fails after publishing started, its cleanup leaves none of the files', async (t) => {
  const state = await ready(t);
  await publishToOut.run(state);
  await publishToOut.cleanup!(state, true);
  t.deepEqual(await readdir(state.outDir), []);
});
