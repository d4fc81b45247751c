import { existsSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { workspace } from '../../../lib/builder/steps/workspace.js';
import { stateFor, tempDir } from './helpers.js';

test('the workspace is a temp folder inside outDir, its cleanup removes it', async (t) => {
  const outDir = path.join(await tempDir(t), 'out');
  const state = await stateFor(outDir, { plan: false });
  await workspace.run(state);
  t.is(path.dirname(state.work!), outDir);
  t.regex(path.basename(state.work!), /^\.boxwright-build-/);
  t.is(state.buildDir, path.join(state.work!, 'build'));
  t.deepEqual(state.events.map((e) => e.type === 'phase' && e.phase), ['render']);
  await workspace.cleanup!(state, false);
  t.false(existsSync(state.work!));
});

test('with keepBuildDir the workspace cleanup leaves the folder', async (t) => {
  const state = await stateFor(await tempDir(t), { plan: false, options: { keepBuildDir: true } });
  await workspace.run(state);
  await workspace.cleanup!(state, true);
  t.true(existsSync(state.work!));
});
