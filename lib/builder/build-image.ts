import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { BoxwrightError, isBoxwrightError } from '../errors.js';
import { debianRecipeHash, resolveBase, type ResolvedBase } from '../base/index.js';
import { removeBuildDir } from '../base/run.js';
import { checkLock, lockPath, lockText, readLock, resolveLock, writeLock } from '../lock/index.js';
import { labFileFor, writeLabFile } from '../lab/lab-file.js';
import { sha256Hex } from '../render/inputs-hash.js';
import { planFor, renderImage } from '../render/render-image.js';
import type { Accelerator, BaseName, BuildKind, ImageSpec, Provider } from '../image/types.js';
import { mirrorBasePaths } from '../template/base.js';
import { BUILD_LAYOUT, boxFileName } from '../template/plan.js';
import { packerSession } from './packer-session.js';
import { parsePackageList, sha256sumLine, sizeOf } from './artifacts.js';
import { writeFileAtomic } from '../util/atomic.js';
import { sha256File } from '../util/hash.js';
import type { BuildEvent, BuildPhase } from './events.js';
import { readCachedBuild } from './cache.js';
import { type BuildManifest, MANIFEST_FILE } from './manifest.js';

/** Options of {@link buildImage}. */
export interface BuildOptions {
  /** Folder the box, its .sha256, build-manifest.json and lab.json are written to. */
  outDir: string;
  /** @default spec.providers[0] */
  provider?: Provider;
  /** Overrides spec.base with a known base name. */
  base?: BaseName;
  /** @default spec.build.kind */
  kind?: BuildKind;
  /** @default spec.build.accelerator */
  accelerator?: Accelerator;
  /** Rebuild even when outDir holds a verified box for the same inputs. @default false */
  force?: boolean;
  /** Path of the packer binary. @default `$PACKER_PATH` or `packer` on PATH */
  packerPath?: string;
  /** Cache folder for base disks and app bundles. @default ~/.cache/boxwright */
  cacheDir?: string;
  /**
   * Resolve the inputs anew and rewrite the image's boxwright.lock.json before building, instead of
   * refusing when they no longer match it. @default false
   */
  updateLock?: boolean;
  /** Keep the temp build folder (debugging). @default false */
  keepBuildDir?: boolean;
  /** Cancels the build: packer gets SIGINT and time to stop its VM; nothing is left in outDir. */
  signal?: AbortSignal;
  /** Receives progress events. */
  onEvent?: (event: BuildEvent) => void;
}

/** What a build produced. */
export interface BuildResult {
  /** Absolute path of the .box. */
  box: string;
  sha256: string;
  /** Bytes. */
  size: number;
  manifestPath: string;
  inputsHash: string;
  /** True when the box came from outDir's cache and packer did not run. */
  cached: boolean;
  /** Milliseconds per phase. */
  timings: Partial<Record<BuildPhase, number>>;
}

/**
 * Builds the box for a spec: base disk (cached) → render → packer init/validate/build → box,
 * `.sha256`, `build-manifest.json` and `lab.json` in `outDir`, each written atomically. A failed or
 * cancelled build leaves no artifact and no temp folder; packer stops its VM.
 */
export async function buildImage(spec: ImageSpec, options: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const emit = options.onEvent ?? (() => {});
  const timings: Partial<Record<BuildPhase, number>> = {};
  let current: { phase: BuildPhase; at: number } | undefined;
  const phase = (next: BuildPhase): void => {
    const now = Date.now();
    if (current) timings[current.phase] = (timings[current.phase] ?? 0) + (now - current.at);
    current = { phase: next, at: now };
    emit({ type: 'phase', phase: next, elapsedMs: now - started });
  };
  const log = (source: 'packer' | 'base' | 'boxwright', line: string, level: 'info' | 'error' = 'info'): void => emit({ type: 'log', source, level, line });
  const checkAbort = (): void => {
    if (options.signal?.aborted) throw new BoxwrightError('E_CANCELLED', 'the build was cancelled', { cause: options.signal.reason });
  };

  const outDir = path.resolve(options.outDir);
  const partial = planFor(spec, options);
  const packer = await packerSession(options.packerPath);
  await mkdir(outDir, { recursive: true });

  const baseOptions = {
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    diskSize: spec.vm.diskSize,
    onLog: (line: string) => log('base', line),
  };
  phase('render');
  const work = await mkdtemp(path.join(outDir, '.boxwright-build-'));
  const buildDir = path.join(work, 'build');
  let written: string[] = [];
  try {
    const rendered = await renderImage(spec, { ...options, outDir: buildDir, packer: packer.features, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
    const plan = rendered.plan;
    // The cache key needs only the base's recipe, not the base itself: a cache hit never touches it.
    const baseRecipe = plan.base.source === 'mirror' ? await debianRecipeHash(baseOptions) : undefined;
    // The committed lock is part of the inputs. It is checked against the world (mirror, packer, app)
    // only when a build will really run: a cache hit reuses a box built when the lock last matched.
    let lock = await readLock(spec.dir);
    const keyOf = (): string => sha256Hex(JSON.stringify({
      render: rendered.inputsHash,
      base: baseRecipe ? { recipe: baseRecipe } : { disk: plan.base.diskUrl, checksum: plan.base.checksum },
      packer: packer.features.version,
      lock: lock ? sha256Hex(lockText(lock)) : null,
    }));
    let inputsHash = keyOf();
    const boxName = boxFileName(spec, plan.provider);
    const boxPath = path.join(outDir, boxName);

    if (!options.force) {
      const hit = await readCachedBuild(outDir, boxName, inputsHash);
      if (hit) {
        emit({ type: 'cache', result: 'hit', inputsHash });
        phase('done');
        return { box: boxPath, sha256: hit.sha256, size: hit.size, manifestPath: path.join(outDir, MANIFEST_FILE), inputsHash, cached: true, timings: hit.timings };
      }
    }
    const lockOptions = { base: plan.base.os, provider: plan.provider, kind: plan.kind, packerPath: packer.path,
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    if (options.updateLock) {
      lock = await resolveLock(spec, lockOptions);
      log('boxwright', `lock: wrote ${await writeLock(spec.dir, lock)}`);
      inputsHash = keyOf();
    } else if (lock) {
      await checkLock(spec, lockOptions);
      log('boxwright', `lock: ${lockPath(spec.dir)} matches the inputs`);
    }
    emit({ type: 'cache', result: 'miss', inputsHash });

    let base: ResolvedBase | undefined;
    if (plan.base.source === 'mirror') {
      phase('base');
      base = await resolveBase({ ...spec, base: plan.base.os }, baseOptions);
      await linkMirrorBase(buildDir, base);
    }
    checkAbort();

    if (packer.features.requiredPlugins) {
      phase('init');
      await packer.init(buildDir, { onLog: (line) => log('packer', line) });
    }
    checkAbort();
    phase('validate');
    await packer.validate(buildDir);
    checkAbort();

    const scripts = plan.scripts.length;
    let step = 0;
    try {
      await packer.build(buildDir, {
        ...(options.signal ? { signal: options.signal } : {}),
        onUi: (line, level) => log('packer', line, level),
        onPhase: (next) => { if (current?.phase !== next) phase(next); },
        onStep: (name) => {
          step += 1;
          emit({ type: 'step', index: Math.min(step, scripts), total: scripts, name, elapsedMs: Date.now() - started });
        },
      });
    } finally {
      if (plan.kind === 'chroot') {
        await execa('bash', [path.join(buildDir, BUILD_LAYOUT.helpers, 'chroot.sh'), 'teardown'], { cwd: buildDir, reject: false });
      }
    }
    checkAbort();

    phase('verify');
    const builtBox = path.join(buildDir, BUILD_LAYOUT.artifacts, boxName);
    if (!existsSync(builtBox)) throw new BoxwrightError('E_PACKER_BUILD', `packer finished but left no box at ${builtBox}; run with BOXWRIGHT_DEBUG=1 and keep the build folder to see why`);
    await verifyBoxLayout(builtBox, plan.provider);
    const sha256 = await sha256File(builtBox);
    const size = await sizeOf(builtBox);
    const packageText = await readFile(path.join(buildDir, BUILD_LAYOUT.packageList), 'utf8').catch(() => '');
    const appLock = await readFile(path.join(spec.dir, spec.app.source, 'package-lock.json'), 'utf8').catch(() => undefined);
    phase('done');
    const manifest: BuildManifest = {
      format: 1,
      name: spec.name,
      version: spec.version,
      provider: plan.provider,
      kind: plan.kind,
      accelerator: plan.accelerator,
      inputsHash,
      renderHash: rendered.inputsHash,
      packerVersion: packer.features.version,
      base: {
        os: plan.base.os, source: plan.base.source,
        disk: base ? path.basename(base.diskUrl) : plan.base.diskUrl,
        checksum: base?.checksum ?? plan.base.checksum,
        ...(base?.recipeHash ? { recipeHash: base.recipeHash } : {}),
      },
      box: { file: boxName, sha256, size },
      lock: lock ?? null,
      timings: { ...timings, totalMs: Date.now() - started },
      packages: parsePackageList(packageText),
      app: { dependencies: appLock ? appDependencies(appLock) : {} },
      spec: publicSpec(spec),
      builtAt: new Date().toISOString(),
    };

    // Publish into outDir: the box first (rename on one filesystem), then its checksum, the lab file,
    // and the manifest last — the manifest is what marks a finished build.
    written = [boxPath, `${boxPath}.sha256`, path.join(outDir, 'lab.json'), path.join(outDir, MANIFEST_FILE)];
    await rm(path.join(outDir, MANIFEST_FILE), { force: true });
    await rename(builtBox, boxPath);
    await writeFileAtomic(`${boxPath}.sha256`, sha256sumLine(sha256, boxPath));
    await writeLabFile(outDir, labFileFor(spec, { boxPath: path.join(outDir, boxName), provider: plan.provider, outDir, accelerator: plan.accelerator }));
    await writeFileAtomic(path.join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    emit({ type: 'artifact', path: boxPath, sha256, size });
    return { box: boxPath, sha256, size, manifestPath: path.join(outDir, MANIFEST_FILE), inputsHash, cached: false, timings: manifest.timings };
  } catch (error) {
    for (const file of written) await rm(file, { force: true });
    if (options.signal?.aborted && !isBoxwrightError(error, 'E_CANCELLED')) {
      throw new BoxwrightError('E_CANCELLED', 'the build was cancelled', { cause: error });
    }
    throw error;
  } finally {
    // Unmounts anything a chroot build left below it, detaches its loop devices, then removes it;
    // a mount that will not go is left in place rather than crossed.
    if (!options.keepBuildDir) await removeBuildDir(work).catch((error: unknown) => log('boxwright', String(error), 'error'));
  }
}

/** Links the cached mirror base into the build folder, where the template expects it. */
async function linkMirrorBase(buildDir: string, base: ResolvedBase): Promise<void> {
  const paths = mirrorBasePaths(base.os);
  await mkdir(path.join(buildDir, BUILD_LAYOUT.base), { recursive: true });
  await symlink(base.diskUrl, path.join(buildDir, paths.disk));
  await writeFile(path.join(buildDir, paths.diskSha256), sha256sumLine(base.checksum.replace(/^sha256:/, ''), paths.disk));
  if (base.rootfsTar) await symlink(base.rootfsTar, path.join(buildDir, paths.rootfsTar));
}

/**
 * A box must carry a metadata.json naming the provider it was built for; refuse anything else
 * before it reaches outDir. Reading stops at that member (the chroot kind packs it first).
 */
export async function verifyBoxLayout(box: string, provider: string): Promise<void> {
  const read = await execa('tar', ['-xOzf', box, '--occurrence=1', '--wildcards', '--no-anchored', 'metadata.json'], { reject: false });
  let metadata: { provider?: unknown } | undefined;
  try {
    metadata = JSON.parse(read.stdout) as { provider?: unknown };
  } catch {
    metadata = undefined;
  }
  if (read.exitCode !== 0 || metadata?.provider !== provider) {
    throw new BoxwrightError('E_PACKER_BUILD', `the box ${path.basename(box)} has no metadata.json for provider ${provider}; it would not import into vagrant (${read.stderr.trim() || read.stdout.slice(0, 200)})`);
  }
}

/** The app's production dependency versions from its package-lock.json. */
function appDependencies(lockText: string): Record<string, string> {
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
function publicSpec(spec: ImageSpec): Omit<ImageSpec, 'dir'> {
  const { dir: _dir, ...rest } = spec;
  return rest;
}

