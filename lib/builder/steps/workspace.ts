import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { removeBuildDir } from '../../base/run.js';
import type { BuildStep } from '../state.js';

/**
 * Makes the temp build folder inside outDir (one filesystem: the box is renamed out of it). Its
 * cleanup removes it, whatever happened: it unmounts anything a chroot build left below it and
 * detaches its loop devices first; a mount that will not go is left in place rather than crossed.
 */
export const workspace: BuildStep = {
  name: 'workspace',
  async run(state) {
    state.clock.phase('render');
    await mkdir(state.outDir, { recursive: true });
    state.work = await mkdtemp(path.join(state.outDir, '.boxwright-build-'));
    state.buildDir = path.join(state.work, 'build');
  },
  async cleanup(state) {
    if (state.work && !state.options.keepBuildDir) await removeBuildDir(state.work);
  },
};
