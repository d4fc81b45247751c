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
import { buildImage, type BuildResult } from '../../lib/build/build-image.js';
import type { BuildEvent } from '../../lib/build/events.js';
import { renderChecks } from '../../lib/render/checks.js';
import { loadImage } from '../../lib/spec/load.js';
import type { ImageSpec } from '../../lib/spec/types.js';
import type { VmHandle } from '../helpers/vm.js';

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

/** Runs a command in the guest and fails with its output when it exits non-zero. */
export async function guest(vm: VmHandle, command: string, input?: string): Promise<string> {
  const result = await vm.ssh(command, { timeoutMs: 600_000, ...(input === undefined ? {} : { input }) });
  if (result.exitCode !== 0) throw new Error(`guest: ${command} → ${result.exitCode}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Copies files into a guest folder (as root) through base64 over SSH. */
export async function upload(vm: VmHandle, guestDir: string, files: ReadonlyMap<string, string | Buffer>): Promise<void> {
  for (const [name, content] of files) {
    const encoded = Buffer.from(content).toString('base64');
    await guest(vm, `sudo mkdir -p ${guestDir} && base64 -d | sudo tee ${guestDir}/${name} >/dev/null && sudo chmod 0755 ${guestDir}/${name}`, encoded);
  }
}

/** Uploads a local tar of `paths` (relative to `dir`) and unpacks it into `guestDir` as root. */
export async function uploadTree(vm: VmHandle, dir: string, paths: readonly string[], guestDir: string): Promise<void> {
  const { stdout } = await execa('bash', ['-c', 'tar -C "$1" -czf - "${@:2}" | base64 -w0', 'tar', dir, ...paths]);
  await guest(vm, `sudo rm -rf ${guestDir} && sudo mkdir -p ${guestDir} && base64 -d | sudo tar -xzf - -C ${guestDir}`, stdout);
}

/** Puts the rendered check suite into the guest at /tmp/boxwright-checks. */
export async function installChecks(vm: VmHandle, spec: ImageSpec, kind: 'vm' | 'chroot'): Promise<void> {
  await upload(vm, '/tmp/boxwright-checks', await renderChecks(spec, { os: 'debian-12', kind }));
}

/** An HTTP request from inside the VM's namespace to the VM's static IP, as a browser would send it. */
export async function curlStack(vm: VmHandle, hostHeaderName: string, urlPath: string): Promise<{ exitCode: number; status: string; body: string; headers: string }> {
  const result = await vm.exec(['curl', '-sS', '-m', '20', '-D', '-', '--resolve', `${hostHeaderName}:80:${vm.ip}`, `http://${hostHeaderName}${urlPath}`], { timeoutMs: 30_000 });
  const [headers = '', body = ''] = result.stdout.split(/\r?\n\r?\n/, 2);
  const status = /^HTTP\/[\d.]+ (\d{3})/.exec(headers)?.[1] ?? '';
  return { exitCode: result.exitCode, status, body, headers };
}
