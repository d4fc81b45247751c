import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BoxwrightError } from '../errors.js';
import type { BaseName, BuildKind, ImageSpec, Provider } from '../image/types.js';
import { templateBase } from '../template/base.js';
import { composeTemplate, templateText } from '../template/compose.js';
import { BUILD_LAYOUT, type BuildPlan, PACKER_1_6_6, type PackerFeatures } from '../template/plan.js';
import { chooseAccelerator, chooseKind, type HostFacts, readHostFacts } from '../builder/choices.js';
import { bundleApp, defaultCacheDir } from './app-bundle.js';
import { renderContext } from './context.js';
import { hashFiles, listFiles } from './inputs-hash.js';
import { renderTemplate } from './mustache.js';
import { ubuntuSeed } from '../base/ubuntu.js';

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
}

/** What a render wrote. */
export interface RenderResult {
  /** Absolute build folder. */
  dir: string;
  /** Absolute path of build.pkr.json. */
  templatePath: string;
  /** sha256 over the sorted relative paths and contents of the build folder (inputs.sha256 excluded). */
  inputsHash: string;
  /** Relative paths of every file written, sorted. */
  files: string[];
  /** The plan the template was composed from. */
  plan: BuildPlan;
}

/** Folder of the templates shipped with Boxwright (resolved from this module: works in lib/ and dist/). */
export function provisionersDir(): string {
  return fileURLToPath(new URL('../../provisioners/', import.meta.url));
}

/** Resolves provider, base, kind and accelerator for a spec on this host. Throws on impossible choices. */
export function planFor(spec: ImageSpec, options: Omit<RenderOptions, 'outDir' | 'cacheDir'> = {}): Omit<BuildPlan, 'scripts'> {
  const provider = options.provider ?? spec.providers[0] ?? 'libvirt';
  if (!spec.providers.includes(provider)) {
    throw new BoxwrightError('E_SPEC_INVALID', `provider "${provider}" is not in the image's providers (${spec.providers.join(', ')}); add it to "providers" in image.json or pick one of those`, { path: 'providers' });
  }
  const base = templateBase(spec, options.base);
  if (provider === 'virtualbox' && base.source === 'custom') {
    throw new BoxwrightError('E_SPEC_INVALID', 'a custom base is a qcow2 disk image, which the virtualbox provider cannot boot; use provider "libvirt" or base "ubuntu-24.04"', { path: 'base' });
  }
  const host = options.host ?? readHostFacts();
  const kind = chooseKind(options.kind ?? spec.build.kind, base, provider, host);
  const accelerator = chooseAccelerator(options.accelerator ?? spec.build.accelerator, host);
  return { spec, provider, kind, accelerator, base, packer: options.packer ?? PACKER_1_6_6 };
}

/** Writes one file of a render (its folder exists); the mode is set exactly, whatever the umask. */
async function writeInto(root: string, relative: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const target = path.join(root, relative);
  await writeFile(target, content, { mode });
  await chmod(target, mode);
}

/** Refuses to overwrite a folder that is not an earlier render (it could be someone's work). */
async function checkOutDir(outDir: string): Promise<void> {
  if (!existsSync(outDir)) return;
  if (!(await stat(outDir)).isDirectory()) {
    throw new BoxwrightError('E_USAGE', `--out ${outDir} is a file; give a new or empty folder`, { path: 'outDir' });
  }
  const entries = await readdir(outDir);
  const earlierRender = [BUILD_LAYOUT.inputsHash, BUILD_LAYOUT.template, 'boxwright.json'].every((name) => entries.includes(name));
  if (entries.length > 0 && !earlierRender) {
    throw new BoxwrightError('E_USAGE', `--out ${outDir} is not empty and holds no earlier render; give an empty or new folder`, { path: 'outDir' });
  }
}

/**
 * Renders the build folder for a spec: build.pkr.json, scripts/ and files/ from the mustache templates
 * in provisioners/, the app bundle, the NoCloud seed (Ubuntu), the SSH key packer logs in with, and the
 * chroot helpers (chroot kind). Writes into a temp folder beside `outDir` and renames it into place, so
 * a failed render leaves nothing. The same spec gives a byte-identical folder and the same inputs hash.
 */
export async function renderImage(spec: ImageSpec, options: RenderOptions): Promise<RenderResult> {
  const partial = planFor(spec, options);
  const outDir = path.resolve(options.outDir);
  await checkOutDir(outDir);
  const templates = provisionersDir();
  const context = renderContext(spec, { os: partial.base.os, kind: partial.kind });
  const bundle = await bundleApp(path.resolve(spec.dir, spec.app.source), options.cacheDir ?? defaultCacheDir());

  // The whole folder is made in memory first (templates read in parallel), hashed from memory,
  // then written in parallel into a temp folder that is renamed into place.
  const tree = new Map<string, { content: string | Buffer; mode: number }>();
  const put = (relative: string, content: string | Buffer, mode = 0o644): void => {
    tree.set(relative, { content, mode });
  };
  const scriptNames = (await readdir(templates)).filter((file) => file.endsWith('.sh')).sort();
  const filesDir = path.join(templates, 'files');
  const fileNames = existsSync(filesDir) ? await listFiles(filesDir) : [];
  const [scriptTexts, fileTexts, bundleBytes, insecureKey, helpers] = await Promise.all([
    Promise.all(scriptNames.map((name) => readFile(path.join(templates, name), 'utf8'))),
    Promise.all(fileNames.map((relative) => readFile(path.join(filesDir, relative), 'utf8'))),
    readFile(bundle.path),
    readFile(path.join(templates, 'base', 'files', 'vagrant_insecure_key')),
    partial.kind === 'chroot'
      ? Promise.all([readFile(path.join(templates, 'build', 'chroot.sh')), readFile(path.join(templates, 'base', 'make-disk.sh'))])
      : Promise.resolve(undefined),
  ]);

  const scripts: string[] = [];
  scriptNames.forEach((name, i) => {
    const text = scriptTexts[i]!;
    if (partial.kind === 'chroot' && /^#\s*boxwright:\s*vm-only/m.test(text)) return;
    const relative = `${BUILD_LAYOUT.scripts}/${name}`;
    put(relative, renderTemplate(text, context, 'shell', name), 0o755);
    scripts.push(relative);
  });
  fileNames.forEach((relative, i) => {
    const shell = relative.endsWith('.sh');
    put(`${BUILD_LAYOUT.files}/${relative}`, renderTemplate(fileTexts[i]!, context, shell ? 'shell' : 'config', `files/${relative}`), shell ? 0o755 : 0o644);
  });
  put(BUILD_LAYOUT.appBundle, bundleBytes);
  put(BUILD_LAYOUT.insecureKey, insecureKey, 0o600);
  if (partial.base.os === 'ubuntu-24.04') {
    const seed = ubuntuSeed({ hostname: spec.hostname.split('.')[0] ?? 'boxwright' });
    for (const [file, content] of Object.entries(seed)) put(`${BUILD_LAYOUT.seed}/${file}`, content);
  }
  if (helpers) {
    put(`${BUILD_LAYOUT.helpers}/chroot.sh`, helpers[0], 0o755);
    put(`${BUILD_LAYOUT.helpers}/make-disk.sh`, helpers[1], 0o755);
  }
  const plan: BuildPlan = { ...partial, scripts };
  put(BUILD_LAYOUT.template, templateText(composeTemplate(plan)));
  put('boxwright.json', `${JSON.stringify({
    name: spec.name, version: spec.version, provider: plan.provider, kind: plan.kind, accelerator: plan.accelerator,
    base: { os: plan.base.os, source: plan.base.source, disk: plan.base.diskUrl, checksum: plan.base.checksum },
    appBundle: { sourceHash: bundle.sourceHash },
  }, null, 2)}\n`);
  const inputsHash = hashFiles([...tree].map(([relative, file]) => ({ path: relative, content: file.content })));
  put(BUILD_LAYOUT.inputsHash, `${inputsHash}\n`);

  await mkdir(path.dirname(outDir), { recursive: true });
  const work = await mkdtemp(`${outDir}.render-`);
  try {
    const folders = new Set([...tree.keys()].map((relative) => path.dirname(relative)).filter((dir) => dir !== '.'));
    await Promise.all([...folders].map((dir) => mkdir(path.join(work, dir), { recursive: true })));
    await Promise.all([...tree].map(([relative, file]) => writeInto(work, relative, file.content, file.mode)));
    await rm(outDir, { recursive: true, force: true });
    await rename(work, outDir);
    return { dir: outDir, templatePath: path.join(outDir, BUILD_LAYOUT.template), inputsHash, files: [...tree.keys()].sort(), plan };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}
