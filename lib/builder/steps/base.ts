import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveBase, type ResolvedBase } from '../../base/index.js';
import { BUILD_LAYOUT, mirrorBasePaths } from '../../plan/layout.js';
import { sha256sumLine } from '../box-files.js';
import { need, type BuildStep } from '../state.js';

/** Links the cached mirror base into the build folder, where the template expects it. */
export async function linkMirrorBase(buildDir: string, base: ResolvedBase): Promise<void> {
  const paths = mirrorBasePaths(base.os);
  await mkdir(path.join(buildDir, BUILD_LAYOUT.base), { recursive: true });
  await symlink(base.diskPathOrUrl, path.join(buildDir, paths.disk));
  await writeFile(path.join(buildDir, paths.diskSha256), sha256sumLine(base.checksum.replace(/^sha256:/, ''), paths.disk));
  if (base.rootfsTar) await symlink(base.rootfsTar, path.join(buildDir, paths.rootfsTar));
}

/**
 * A mirror base is built (or taken from the verified cache) from the plan's mirror row and linked
 * into the build folder. Cloud and custom bases are packer's to download: nothing to do.
 */
export const base: BuildStep = {
  name: 'base',
  async run(state) {
    const plan = need(state.plan, 'plan');
    if (plan.base.source !== 'mirror') return;
    state.clock.phase('base');
    const { cacheDir, signal } = state.options;
    state.base = await resolveBase({ ...state.spec, base: plan.base.os }, {
      ...plan.base.mirror,
      ...(cacheDir ? { cacheDir } : {}), ...(signal ? { signal } : {}),
      diskSize: state.spec.vm.diskSize,
      onLog: (line: string) => state.log('base', line),
    });
    await linkMirrorBase(need(state.buildDir, 'buildDir'), state.base);
  },
};
