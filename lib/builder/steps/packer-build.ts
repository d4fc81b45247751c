import { need, type BuildStep } from '../state.js';

/** `packer build`, its phases (boot, provision, shutdown, post-process) and script steps turned into events. */
export const packerBuild: BuildStep = {
  name: 'packer-build',
  async run(state) {
    const plan = need(state.plan, 'plan');
    const { signal, forceSignal } = state.options;
    const total = plan.scripts.length;
    let step = 0;
    await need(state.packer, 'packer').build(need(state.buildDir, 'buildDir'), {
      ...(signal ? { signal } : {}), ...(forceSignal ? { forceSignal } : {}),
      onUi: (line, level) => state.log('packer', line, level),
      onPhase: (next) => { if (state.clock.current !== next) state.clock.phase(next); },
      onStep: (name) => {
        step += 1;
        state.emit({ type: 'step', index: Math.min(step, total), total, name, elapsedMs: Date.now() - state.clock.started });
      },
    });
  },
};
