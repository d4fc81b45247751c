import test from 'ava';
import { plan } from '../../../lib/builder/steps/plan.js';
import { capabilitiesFor } from '../../../lib/packer/capabilities.js';
import { planBuild, type PlanOptions } from '../../../lib/plan/plan.js';
import { HOST } from '../../render/helpers.js';
import { recordingPacker, stateFor, tempDir } from './helpers.js';

test('the plan step plans once with the build options and the detected packer features', async (t) => {
  const seen: PlanOptions[] = [];
  const state = await stateFor(await tempDir(t), {
    plan: false,
    options: { provider: 'libvirt', base: 'ubuntu-24.04', kind: 'vm', accelerator: 'tcg' },
    deps: { planBuild: async (spec, options = {}) => { seen.push(options); return planBuild(spec, { ...options, host: HOST }); } },
  });
  state.packer = recordingPacker(capabilitiesFor('1.11.2'));
  await plan.run(state);
  t.is(seen.length, 1);
  t.deepEqual({ ...seen[0], packer: seen[0]?.packer?.version }, { provider: 'libvirt', base: 'ubuntu-24.04', kind: 'vm', accelerator: 'tcg', packer: '1.11.2' });
  t.is(state.plan?.base.os, 'ubuntu-24.04');
  t.true(state.plan?.packer.requiredPlugins);
});
