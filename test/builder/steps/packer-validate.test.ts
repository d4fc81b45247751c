import test from 'ava';
import { packerValidate } from '../../../lib/builder/steps/packer-validate.js';
import { recordingPacker, stateFor } from './helpers.js';

test('packer validate runs on the build folder in the validate phase', async (t) => {
  const state = await stateFor('/o', { plan: false });
  const packer = recordingPacker();
  state.packer = packer;
  state.buildDir = '/o/build';
  await packerValidate.run(state);
  t.deepEqual(packer.calls, ['validate /o/build']);
  t.deepEqual(state.events.map((e) => e.type === 'phase' && e.phase), ['validate']);
});
