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
import type { ImageSpec } from '../../lib/image/types.js';
import type { VmHandle } from '../../lib/verify/boot.js';
import { uploadFiles } from '../../lib/verify/guest.js';

export { guest, uploadTree, httpGet as curlStack, counterOf } from '../../lib/verify/guest.js';

/** Real-VM tests run only when asked: `BOXWRIGHT_E2E=1` (as `.ci/run` does). */
export const e2eEnabled = process.env.BOXWRIGHT_E2E === '1';
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const imageDir = path.join(repoRoot, 'images', 'foobar-web');
/** Where e2e builds go (kept between runs: the build cache makes reruns cheap). */
export const e2eOut = (kind: string): string => path.join(process.env.BOXWRIGHT_E2E_OUT ?? path.join(repoRoot, 'out'), `e2e-${kind}`);

export async function loadStackSpec(): Promise<ImageSpec> {
  return loadImage(imageDir);
}

const builds = new Map<string, Promise<BuildResult>>();

/** Builds (or takes from outDir's cache) the stack box on debian-12 with the given kind, once per process. */
export function buildStack(kind: 'vm' | 'chroot', log: (line: string) => void): Promise<BuildResult> {
  let build = builds.get(kind);
  if (!build) {
    build = loadStackSpec().then((spec) => buildImage(spec, {
      outDir: e2eOut(kind), base: 'debian-12', kind, accelerator: 'tcg',
      onEvent: (event: BuildEvent) => {
        if (event.type === 'phase' || event.type === 'cache' || event.type === 'artifact') log(JSON.stringify(event));
        if (event.type === 'step') log(`step ${event.index}/${event.total} ${event.name}`);
        if (event.type === 'log' && event.level === 'error') log(event.line);
      },
    }));
    builds.set(kind, build);
  }
  return build;
}

/** Unpacks box.img (the qcow2) of a libvirt box into a temp folder; returns its path and a cleanup. */
export async function diskOf(box: string): Promise<{ disk: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bw-disk-'));
  await execa('tar', ['-xzf', box, '-C', dir, 'box.img']);
  return { disk: path.join(dir, 'box.img'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Puts the rendered check suite into the guest at /tmp/boxwright-checks. */
export async function installChecks(vm: VmHandle, spec: ImageSpec, kind: 'vm' | 'chroot'): Promise<void> {
  await uploadFiles(vm, '/tmp/boxwright-checks', await renderChecks(spec, { os: 'debian-12', kind }));
}

