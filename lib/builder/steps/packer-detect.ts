import type { BuildStep } from '../state.js';

/** Finds packer and reads its version once; every later step uses this session. */
export const packerDetect: BuildStep = {
  name: 'packer-detect',
  async run(state) {
    state.packer = await state.deps.packerSession(state.options.packerPath);
  },
};
