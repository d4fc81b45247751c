import path from 'node:path';
import test from 'ava';
import { render } from '../../../lib/builder/steps/render.js';
import { testCacheDir } from '../../render/helpers.js';
import { stateFor, tempDir } from './helpers.js';

test('the render step renders the build folder from the plan it is given, without planning again', async (t) => {
  const dir = await tempDir(t);
  const state = await stateFor(dir, { options: { cacheDir: testCacheDir } });
  state.buildDir = path.join(dir, 'build');
  // A plan with two scripts only: a render that planned again would write all of them.
  state.plan = { ...state.plan!, scripts: state.plan!.scripts.filter((s) => s.name === '00-apt.sh' || s.name === '90-cleanup.sh') };
  await render.run(state);
  t.is(state.render?.plan, state.plan);
  t.deepEqual(state.render?.files.filter((file) => file.startsWith('scripts/')), ['scripts/00-apt.sh', 'scripts/90-cleanup.sh']);
  t.regex(state.render?.inputsHash ?? '', /^[0-9a-f]{64}$/);
});
