import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderImage, type RenderOptions } from '../render/render-image.js';
import type { BaseName, ImageSpec, Provider } from '../image/types.js';
import { BUILD_LAYOUT, mirrorBasePaths } from '../plan/layout.js';
import { planBuild } from '../plan/plan.js';
import { packerSession } from './packer-session.js';

/** Options of {@link validateRendered}. */
export type ValidateOptions = Omit<RenderOptions, 'outDir' | 'packer' | 'plan'> & { packerPath?: string };

/** What was validated. */
export interface ValidateResult {
  provider: Provider;
  kind: 'vm' | 'chroot';
  os: BaseName;
  packerVersion: string;
  /** The render hash of the validated build folder (as `RenderResult.inputsHash`). */
  inputsHash: string;
}

/**
 * Renders the spec into a temporary folder and runs `packer validate` on it (with `packer init`
 * first where the installed packer needs plugins). A mirror-bootstrapped base is not built for
 * this: a stand-in checksum file takes its place, since packer reads it while validating.
 * The temporary folder is removed afterwards, whatever happens.
 */
export async function validateRendered(spec: ImageSpec, options: ValidateOptions = {}): Promise<ValidateResult> {
  const { packerPath, cacheDir, ...planOptions } = options;
  const packer = await packerSession(packerPath);
  const plan = await planBuild(spec, { ...planOptions, packer: packer.features });
  const temp = await mkdtemp(path.join(os.tmpdir(), 'boxwright-validate-'));
  try {
    const rendered = await renderImage(spec, { outDir: path.join(temp, 'build'), plan, ...(cacheDir ? { cacheDir } : {}) });
    if (rendered.plan.base.source === 'mirror') {
      const paths = mirrorBasePaths(rendered.plan.base.os);
      await mkdir(path.join(rendered.dir, BUILD_LAYOUT.base), { recursive: true });
      await writeFile(path.join(rendered.dir, paths.diskSha256), `${'0'.repeat(64)}  ${path.basename(paths.disk)}\n`);
    }
    if (packer.features.requiredPlugins) await packer.init(rendered.dir, { onLog: () => {} });
    await packer.validate(rendered.dir);
    return { provider: rendered.plan.provider, kind: rendered.plan.kind, os: rendered.plan.base.os, packerVersion: packer.features.version, inputsHash: rendered.inputsHash };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
