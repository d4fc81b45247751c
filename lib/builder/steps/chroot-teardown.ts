import path from 'node:path';
import { execa } from 'execa';
import { BUILD_LAYOUT } from '../../plan/layout.js';
import type { BuildStep } from '../state.js';

/**
 * Registered before packer-build: its cleanup unmounts what a chroot build left mounted below the
 * build folder (`helpers/chroot.sh teardown`), whether the build succeeded, failed or was killed.
 */
export const chrootTeardown: BuildStep = {
  name: 'chroot-teardown',
  async run() {},
  async cleanup(state) {
    if (state.plan?.kind !== 'chroot' || !state.buildDir) return;
    await execa('bash', [path.join(state.buildDir, BUILD_LAYOUT.helpers, 'chroot.sh'), 'teardown'], { cwd: state.buildDir, reject: false });
  },
};
