import test from 'ava';
import { packerInit } from '../../../lib/builder/steps/packer-init.js';
import { capabilitiesFor } from '../../../lib/packer/capabilities.js';
import { recordingPacker, stateFor } from './helpers.js';

test('packer init runs only for a packer that needs its plugins', async (t) => {
  const old = await stateFor('/o', { plan: false });
  const bundled = recordingPacker();
  old.packer = bundled;
  old.buildDir = '/o/build';
  await packerInit.run(old);
  t.deepEqual(bundled.calls, []);
  const current = await stateFor('/o', { plan: false });
  const packer = recordingPacker(capabilitiesFor('1.11.2'));
  current.packer = packer;
  current.buildDir = '/o/build';
  await packerInit.run(current);
  t.deepEqual(packer.calls, ['init /o/build']);
  t.deepEqual(current.events.map((e) => e.type === 'phase' && e.phase), ['init']);
});
