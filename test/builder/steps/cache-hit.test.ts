import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { cacheHit } from '../../../lib/builder/steps/cache-hit.js';
import { MANIFEST_FILE } from '../../../lib/builder/manifest.js';
import { stateFor, tempDir } from './helpers.js';

const KEY = 'f'.repeat(64);

async function outWithBox(dir: string, boxName: string, key: string): Promise<void> {
  const box = Buffer.from('box bytes');
  const sha256 = createHash('sha256').update(box).digest('hex');
  await writeFile(path.join(dir, boxName), box);
  await writeFile(path.join(dir, `${boxName}.sha256`), `${sha256}  ${boxName}\n`);
  await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify({ inputsHash: key, box: { file: boxName, sha256, size: box.length }, timings: { totalMs: 5 } }));
}

test('cache-hit ends the build with the verified box of the same cache key', async (t) => {
  const dir = await tempDir(t);
  const state = await stateFor(dir);
  await outWithBox(dir, state.plan!.boxName, KEY);
  state.cacheKey = KEY;
  await cacheHit.run(state);
  t.true(state.result?.cached);
  t.is(state.result?.box, path.join(dir, state.plan!.boxName));
  t.is(state.result?.inputsHash, KEY);
  t.deepEqual(state.events.map((e) => e.type), ['cache', 'phase']);
});

test('cache-hit passes on another cache key, and on force', async (t) => {
  const dir = await tempDir(t);
  const state = await stateFor(dir);
  await outWithBox(dir, state.plan!.boxName, KEY);
  state.cacheKey = '0'.repeat(64);
  await cacheHit.run(state);
  t.is(state.result, undefined);
  const forced = await stateFor(dir, { options: { force: true } });
  forced.cacheKey = KEY;
  await cacheHit.run(forced);
  t.is(forced.result, undefined);
  t.deepEqual([...state.events, ...forced.events], []);
});
