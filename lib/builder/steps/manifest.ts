import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageSpec } from '../../image/types.js';
import { BUILD_LAYOUT } from '../../plan/layout.js';
import { parsePackageList } from '../package-list.js';
import { need, type BuildStep } from '../state.js';

/** The app's production dependency versions from its package-lock.json. */
export function appDependencies(lockText: string): Record<string, string> {
  try {
    const lock = JSON.parse(lockText) as { packages?: Record<string, { version?: string; dev?: boolean }> };
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(lock.packages ?? {})) {
      if (key.startsWith('node_modules/') && !value.dev && value.version) result[key.slice('node_modules/'.length)] = value.version;
    }
    return Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b)));
  } catch {
    return {};
  }
}

/** The spec as recorded in the manifest: without the host-specific folder. */
export function publicSpec(spec: ImageSpec): Omit<ImageSpec, 'dir'> {
  const { dir: _dir, ...rest } = spec;
  return rest;
}

/** What build-manifest.json records: inputs, versions, base, box, the package list, timings. */
export const manifest: BuildStep = {
  name: 'manifest',
  async run(state) {
    const { spec, clock } = state;
    const plan = need(state.plan, 'plan');
    const box = need(state.box, 'box');
    const buildDir = need(state.buildDir, 'buildDir');
    const packageText = await readFile(path.join(buildDir, BUILD_LAYOUT.packageList), 'utf8').catch(() => '');
    const appLock = await readFile(path.join(spec.dir, spec.app.source, 'package-lock.json'), 'utf8').catch(() => undefined);
    clock.phase('done');
    const base = state.base;
    state.manifest = {
      format: 1,
      name: spec.name,
      version: spec.version,
      provider: plan.provider,
      kind: plan.kind,
      accelerator: plan.accelerator,
      inputsHash: need(state.cacheKey, 'cacheKey'),
      renderHash: need(state.render, 'render').inputsHash,
      packerVersion: plan.packer.version,
      base: {
        os: plan.base.os, source: plan.base.source,
        disk: base ? path.basename(base.diskPathOrUrl) : plan.base.diskPathOrUrl,
        checksum: base?.checksum ?? plan.base.checksum,
        ...(base?.recipeHash ? { recipeHash: base.recipeHash } : {}),
      },
      box: { file: plan.boxName, sha256: box.sha256, size: box.size },
      lock: state.lock ?? null,
      timings: { ...clock.timings, totalMs: Date.now() - clock.started },
      packages: parsePackageList(packageText),
      app: { dependencies: appLock ? appDependencies(appLock) : {} },
      spec: publicSpec(spec),
      builtAt: new Date().toISOString(),
    };
  },
};
