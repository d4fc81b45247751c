import { renderImage } from '../../render/render-image.js';
import { need, type BuildStep } from '../state.js';

/** Renders the build folder from the plan (the template, scripts, files, app bundle). */
export const render: BuildStep = {
  name: 'render',
  async run(state) {
    const { cacheDir } = state.options;
    state.render = await renderImage(state.spec, { outDir: need(state.buildDir, 'buildDir'), plan: need(state.plan, 'plan'), ...(cacheDir ? { cacheDir } : {}) });
  },
};
