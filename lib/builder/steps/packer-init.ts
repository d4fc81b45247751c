import { need, type BuildStep } from '../state.js';

/** `packer init` where the installed packer needs its plugins (≥ 1.7); nothing for 1.6.6. */
export const packerInit: BuildStep = {
  name: 'packer-init',
  async run(state) {
    const packer = need(state.packer, 'packer');
    if (!packer.features.requiredPlugins) return;
    state.clock.phase('init');
    await packer.init(need(state.buildDir, 'buildDir'), { onLog: (line) => state.log('packer', line) });
  },
};
