import { need, type BuildStep } from '../state.js';

/** `packer validate` of the rendered template before anything boots. */
export const packerValidate: BuildStep = {
  name: 'packer-validate',
  async run(state) {
    state.clock.phase('validate');
    await need(state.packer, 'packer').validate(need(state.buildDir, 'buildDir'));
  },
};
