import test from 'ava';
import { packerBuild } from '../../../lib/builder/steps/packer-build.js';
import { recordingPacker, stateFor } from './helpers.js';

test('packer-build turns the phases packer reveals and each script into events, counted against the plan', async (t) => {
  const force = new AbortController();
  const state = await stateFor('/o', { options: { forceSignal: force.signal } });
  state.buildDir = '/o/build';
  const packer = recordingPacker();
  let hooksSeen: unknown;
  packer.build = async (_dir, hooks) => {
    hooksSeen = hooks.forceSignal;
    hooks.onPhase('boot');
    hooks.onPhase('provision');
    hooks.onStep('00-apt.sh');
    hooks.onPhase('provision');
    hooks.onStep('10-packages.sh');
    hooks.onUi('==> hello', 'info');
  };
  state.packer = packer;
  await packerBuild.run(state);
  t.is(hooksSeen, force.signal, 'the force signal reaches packer');
  t.deepEqual(state.events.map((e) => e.type === 'phase' ? e.phase : e.type === 'step' ? `${e.index}/${e.total} ${e.name}` : e.type), [
    'boot', 'provision', `1/${state.plan!.scripts.length} 00-apt.sh`, `2/${state.plan!.scripts.length} 10-packages.sh`, 'log',
  ]);
});
