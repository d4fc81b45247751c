import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BoxwrightError } from '../errors.js';
import type { BaseName, BuildKind, ImageSpec, Provider } from '../image/types.js';
import { composeTemplate, templateText } from '../template/compose.js';
import { BUILD_LAYOUT, RENDER_ENTRIES } from '../plan/layout.js';
import { type BuildPlan, type PackerFeatures, planBuild } from '../plan/plan.js';
import type { HostFacts } from '../plan/host.js';
import { provisionersDir } from '../plan/scripts.js';
import { bundleApp, defaultCacheDir } from './app-bundle.js';
import { renderContext } from './context.js';
import { hashFiles } from './inputs-hash.js';
import { listFiles } from '../util/hash.js';
import { renderTemplate } from './mustache.js';
import { ubuntuSeed } from '../base/ubuntu.js';

export { provisionersDir };

/** Options of {@link renderImage}. */
export interface RenderOptions {
  /** Folder to write the build folder to. Replaced if it holds an earlier render; refused if it holds anything else. */
  outDir: string;
  /** @default spec.providers[0] */
  provider?: Provider;
  /** Overrides spec.base with a known base name. */
  base?: BaseName;
  /** @default spec.build.kind */
  kind?: BuildKind;
  /** @default spec.build.accelerator */
  accelerator?: 'auto' | 'kvm' | 'tcg';
  /** What packer can do. @default packer 1.6.6 (Debian) */
  packer?: PackerFeatures;
  /** Cache folder (app bundles). @default ~/.cache/boxwright */
  cacheDir?: string;
  /** Host facts (tests inject them). @default read from this machine */
  host?: HostFacts;
  /** The build's plan, when the caller made it already (a build plans once); then provider, base, kind, accelerator, packer and host are not read. */
  plan?: BuildPlan;
}

/** What a render wrote. */
export interface RenderResult {
  /** Absolute build folder. */
  dir: string;
  /** Absolute path of build.pkr.json. */
  templatePath: string;
  /**
   * The render hash: sha256 over the sorted relative paths and contents of the build folder
   * (inputs.sha256 excluded), as written to inputs.sha256. Not the build's cache key
   * (`BuildResult.inputsHash`), which adds the base, packer and lock to it.
   */
  inputsHash: string;
  /** Relative paths of every file written, sorted. */
  files: string[];
  /** The plan the template was composed from. */
  plan: BuildPlan;
}

/** Writes one file of a render (its folder exists); the mode is set exactly, whatever the umask. */
async function writeInto(root: string, relative: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const target = path.join(root, relative);
  await writeFile(target, content, { mode });
  await chmod(target, mode);
}

/**
 * Refuses to overwrite a folder that is not an earlier render (it could be someone's work): it must
 * be empty, or hold the render's marker files and nothing but entries a render or packer writes.
 */
async function checkOutDir(outDir: string): Promise<void> {
  if (!existsSync(outDir)) return;
  if (!(await stat(outDir)).isDirectory()) {
    throw new BoxwrightError('E_USAGE', `--out ${outDir} is a file; give a new or empty folder`, { path: 'outDir' });
  }
  const entries = await readdir(outDir);
  if (entries.length === 0) return;
  const earlierRender = [BUILD_LAYOUT.inputsHash, BUILD_LAYOUT.template, BUILD_LAYOUT.record].every((name) => entries.includes(name));
  if (!earlierRender) {
    throw new BoxwrightError('E_USAGE', `--out ${outDir} is not empty and holds no earlier render; give an empty or new folder`, { path: 'outDir' });
  }
  const foreign = entries.filter((name) => !RENDER_ENTRIES.has(name)).sort();
  if (foreign.length > 0) {
    throw new BoxwrightError('E_USAGE', `--out ${outDir} holds an earlier render and ${foreign.map((name) => JSON.stringify(name)).join(', ')}, which no render writes; move ${foreign.length === 1 ? 'it' : 'them'} away or give another folder (a render replaces the whole folder)`, { path: 'outDir' });
  }
}

/**
 * Renders the build folder for a spec: build.pkr.json, scripts/ and files/ from the mustache templates
 * in provisioners/, the app bundle, the NoCloud seed (Ubuntu), the SSH key packer logs in with, and the
 * chroot helpers (chroot kind). Writes into a temp folder beside `outDir` and renames it into place, so
 * a failed render leaves nothing. The same spec gives a byte-identical folder and the same inputs hash.
 */
export async function renderImage(spec: ImageSpec, options: RenderOptions): Promise<RenderResult> {
  const plan = options.plan ?? await planBuild(spec, options);
  const outDir = path.resolve(options.outDir);
  await checkOutDir(outDir);
  const templates = provisionersDir();
  const context = renderContext(spec, { os: plan.base.os, kind: plan.kind });
  const bundle = await bundleApp({ imageDir: spec.dir, source: spec.app.source }, options.cacheDir ?? defaultCacheDir());

  // The whole folder is made in memory first (templates read in parallel), hashed from memory,
  // then written in parallel into a temp folder that is renamed into place.
  const tree = new Map<string, { content: string | Buffer; mode: number }>();
  const put = (relative: string, content: string | Buffer, mode = 0o644): void => {
    tree.set(relative, { content, mode });
  };
  const filesDir = path.join(templates, 'files');
  const fileNames = existsSync(filesDir) ? await listFiles(filesDir) : [];
  const [scriptTexts, fileTexts, bundleBytes, insecureKey, helpers] = await Promise.all([
    Promise.all(plan.scripts.map((script) => readFile(path.join(templates, script.name), 'utf8'))),
    Promise.all(fileNames.map((relative) => readFile(path.join(filesDir, relative), 'utf8'))),
    readFile(bundle.path),
    readFile(path.join(templates, 'base', 'files', 'vagrant_insecure_key')),
    plan.kind === 'chroot'
      ? Promise.all([readFile(path.join(templates, 'build', 'chroot.sh')), readFile(path.join(templates, 'base', 'make-disk.sh'))])
      : Promise.resolve(undefined),
  ]);

  plan.scripts.forEach((script, i) => {
    put(script.path, renderTemplate(scriptTexts[i]!, context, 'shell', script.name), 0o755);
  });
  fileNames.forEach((relative, i) => {
    const shell = relative.endsWith('.sh');
    put(`${BUILD_LAYOUT.files}/${relative}`, renderTemplate(fileTexts[i]!, context, shell ? 'shell' : 'config', `files/${relative}`), shell ? 0o755 : 0o644);
  });
  put(BUILD_LAYOUT.appBundle, bundleBytes);
  put(BUILD_LAYOUT.insecureKey, insecureKey, 0o600);
  if (plan.base.family === 'ubuntu') {
    const seed = ubuntuSeed({ hostname: spec.hostname.split('.')[0] ?? 'boxwright' });
    for (const [file, content] of Object.entries(seed)) put(`${BUILD_LAYOUT.seed}/${file}`, content);
  }
  if (helpers) {
    put(`${BUILD_LAYOUT.helpers}/chroot.sh`, helpers[0], 0o755);
    put(`${BUILD_LAYOUT.helpers}/make-disk.sh`, helpers[1], 0o755);
  }
  put(BUILD_LAYOUT.template, templateText(composeTemplate(plan)));
  put(BUILD_LAYOUT.record, `${JSON.stringify({
    name: spec.name, version: spec.version, provider: plan.provider, kind: plan.kind, accelerator: plan.accelerator,
    base: { os: plan.base.os, source: plan.base.source, disk: plan.base.diskPathOrUrl, checksum: plan.base.checksum },
    appBundle: { sourceHash: bundle.sourceHash },
  }, null, 2)}\n`);
  const renderHash = hashFiles([...tree].map(([relative, file]) => ({ path: relative, content: file.content })));
  put(BUILD_LAYOUT.inputsHash, `${renderHash}\n`);

  await mkdir(path.dirname(outDir), { recursive: true });
  const work = await mkdtemp(`${outDir}.render-`);
  try {
    const folders = new Set([...tree.keys()].map((relative) => path.dirname(relative)).filter((dir) => dir !== '.'));
    await Promise.all([...folders].map((dir) => mkdir(path.join(work, dir), { recursive: true })));
    await Promise.all([...tree].map(([relative, file]) => writeInto(work, relative, file.content, file.mode)));
    await rm(outDir, { recursive: true, force: true });
    await rename(work, outDir);
    return { dir: outDir, templatePath: path.join(outDir, BUILD_LAYOUT.template), inputsHash: renderHash, files: [...tree.keys()].sort(), plan };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}
