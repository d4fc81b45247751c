import { need, type BuildStep } from '../state.js';

/** Computes the build plan once, for the detected packer; render, lock, base and packer use it. */
export const plan: BuildStep = {
  name: 'plan',
  async run(state) {
    const { provider, base, kind, accelerator } = state.options;
    state.plan = await state.deps.planBuild(state.spec, {
      ...(provider ? { provider } : {}), ...(base ? { base } : {}), ...(kind ? { kind } : {}), ...(accelerator ? { accelerator } : {}),
      packer: need(state.packer, 'packer').features,
    });
  },
};
