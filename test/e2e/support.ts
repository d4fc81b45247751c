/**
 * Shared steps of the real-VM tests: build the stack box once per kind (cached in out/e2e-<kind>,
 * so a rerun with nothing changed skips packer), take its disk out, boot it in a namespace, and
 * run things in the guest.
 */
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, type BuildResult } from '../../lib/builder/build-image.js';
import type { BuildEvent } from '../../lib/builder/events.js';
import { renderChecks } from '../../lib/render/checks.js';
import { loadImage } from '../../lib/image/load.js';
import type { DebianBaseName } from '../../lib/plan/bases.js';
import type { ImageSpec } from '../../lib/image/types.js';
import type { VmHandle } from '../../lib/verify/boot.js';
import { uploadFiles } from '../../lib/verify/guest.js';

export { guest, uploadTree, httpGet as curlStack, counterOf } from '../../lib/verify/guest.js';

/** Real-VM tests run only when asked: `BOXWRIGHT_E2E=1` (as `.ci/run` does). */
export const e2eEnabled = process.env.BOXWRIGHT_E2E === '1';
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const imageDir = path.join(repoRoot, 'images', 'foobar-web');
/** The base the e2e stack is built on: Debian 13, the current stable release (the README's quick start). */
export const STACK_BASE: DebianBaseName = 'debian-13';
/** Where e2e builds go (kept between runs: the build cache makes reruns cheap): `out/e2e-<kind>` for {@link STACK_BASE}, `out/e2e-<base>-<kind>` for another. */
export const e2eOut = (kind: string, base: DebianBaseName = STACK_BASE): string =>
  path.join(process.env.BOXWRIGHT_E2E_OUT ?? path.join(repoRoot, 'out'), base === STACK_BASE ? `e2e-${kind}` : `e2e-${base}-${kind}`);

export async function loadStackSpec(): Promise<ImageSpec> {
  return loadImage(imageDir);
}

const builds = new Map<string, Promise<BuildResult>>();

/** Builds (or takes from outDir's cache) the stack box on `base` (default {@link STACK_BASE}) with the given kind, once per process. */
export function buildStack(kind: 'vm' | 'chroot', log: (line: string) => void, base: DebianBaseName = STACK_BASE): Promise<BuildResult> {
  let build = builds.get(`${base}/${kind}`);
  if (!build) {
    build = loadStackSpec().then((spec) => buildImage(spec, {
      outDir: e2eOut(kind, base), base, kind, accelerator: 'tcg',
      onEvent: (event: BuildEvent) => {
        if (event.type === 'phase' || event.type === 'cache' || event.type === 'artifact') log(JSON.stringify(event));
        if (event.type === 'step') log(`step ${event.index}/${event.total} ${event.name}`);
        if (event.type === 'log' && event.level === 'error') log(event.line);
      },
    }));
    builds.set(`${base}/${kind}`, build);
  }
  return build;
}

/** Unpacks box.img (the qcow2) of a libvirt box into a temp folder; returns its path and a cleanup. */
export async function diskOf(box: string): Promise<{ disk: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bw-disk-'));
  await execa('tar', ['-xzf', box, '-C', dir, 'box.img']);
  return { disk: path.join(dir, 'box.img'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Puts the check suite rendered for `os` (default {@link STACK_BASE}) into the guest at /tmp/boxwright-checks. */
export async function installChecks(vm: VmHandle, spec: ImageSpec, kind: 'vm' | 'chroot', os: DebianBaseName = STACK_BASE): Promise<void> {
  await uploadFiles(vm, '/tmp/boxwright-checks', await renderChecks(spec, { os, kind }));
}

