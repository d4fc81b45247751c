import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { verifyBox } from '../../../lib/builder/steps/verify-box.js';
import { isBoxwrightError } from '../../../lib/errors.js';
import { sha256File } from '../../../lib/util/hash.js';
import { stateFor, tempDir } from './helpers.js';

async function withBox(t: Parameters<typeof tempDir>[0], metadata: string | undefined) {
  const dir = await tempDir(t);
  const state = await stateFor(dir);
  state.buildDir = path.join(dir, 'build');
  await mkdir(path.join(state.buildDir, 'artifacts'), { recursive: true });
  const box = path.join(state.buildDir, 'artifacts', state.plan!.boxName);
  if (metadata !== undefined) {
    await writeFile(path.join(dir, 'metadata.json'), metadata);
    await execa('tar', ['-C', dir, '-czf', box, 'metadata.json']);
  }
  return { state, box };
}

test('verify-box accepts a box naming the plan provider and records its sha256 and size', async (t) => {
  const { state, box } = await withBox(t, '{"provider":"libvirt"}');
  await verifyBox.run(state);
  t.deepEqual(state.box, { path: box, sha256: await sha256File(box), size: state.box!.size });
  t.true(state.box!.size > 0);
});

test('verify-box refuses a missing box and a box for another provider', async (t) => {
  const missing = await withBox(t, undefined);
  t.true(isBoxwrightError(await t.throwsAsync(verifyBox.run(missing.state)), 'E_PACKER_BUILD'));
  const other = await withBox(t, '{"provider":"virtualbox"}');
  const error = await t.throwsAsync(verifyBox.run(other.state));
  t.regex(error!.message, /no metadata\.json for provider libvirt/);
});
