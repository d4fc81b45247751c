import test from 'ava';
import { packerDetect } from '../../../lib/builder/steps/packer-detect.js';
import { recordingPacker, stateFor, tempDir } from './helpers.js';

test('packer-detect asks the session once, for the packer the options name, and keeps it', async (t) => {
  const asked: Array<string | undefined> = [];
  const session = recordingPacker();
  const state = await stateFor(await tempDir(t), { options: { packerPath: '/opt/packer' }, plan: false, deps: { packerSession: async (p) => { asked.push(p); return session; } } });
  await packerDetect.run(state);
  t.deepEqual(asked, ['/opt/packer']);
  t.is(state.packer, session);
});
