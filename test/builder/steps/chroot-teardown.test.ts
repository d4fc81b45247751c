import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { chrootTeardown } from '../../../lib/builder/steps/chroot-teardown.js';
import { stateFor, tempDir } from './helpers.js';

async function buildDirWithHelper(dir: string): Promise<string> {
  await mkdir(path.join(dir, 'helpers'), { recursive: true });
  await writeFile(path.join(dir, 'helpers/chroot.sh'), 'echo "$@" >> called.txt\n');
  return dir;
}

test('after a chroot build, failed or not, the teardown runs in the build folder', async (t) => {
  const state = await stateFor('/o', { plan: { kind: 'chroot' } });
  state.buildDir = await buildDirWithHelper(await tempDir(t));
  await chrootTeardown.run(state);
  await chrootTeardown.cleanup!(state, true);
  t.is(await readFile(path.join(state.buildDir, 'called.txt'), 'utf8'), 'teardown\n');
});

test('a vm build has nothing to tear down', async (t) => {
  const state = await stateFor('/o', { plan: { kind: 'vm' } });
  state.buildDir = await buildDirWithHelper(await tempDir(t));
  await chrootTeardown.cleanup!(state, false);
  await t.throwsAsync(readFile(path.join(state.buildDir, 'called.txt'), 'utf8'));
});
