import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DEPS, type BuildDeps } from '../../lib/builder/state.js';
import type { ImageSpec } from '../../lib/image/types.js';
import { locatePacker } from '../../lib/packer/locate.js';
import { sampleSpec } from '../render/helpers.js';

/** The real packer, or undefined where it is not installed. */
export const realPacker = await locatePacker().catch(() => undefined);

/** The sample spec on a custom base (no mirror base to build): its template is a qemu one. */
export function customBaseSpec(): Promise<ImageSpec> {
  return sampleSpec({ base: { image: 'https://e.test/base.qcow2', sha256: 'b'.repeat(64), os: 'debian-12' } });
}

/** {@link DEFAULT_DEPS} whose calls are counted. */
export function countingDeps(over: Partial<BuildDeps> = {}): { deps: BuildDeps; calls: Record<keyof BuildDeps, number> } {
  const calls: Record<keyof BuildDeps, number> = { planBuild: 0, packerSession: 0, readLock: 0 };
  const base = { ...DEFAULT_DEPS, ...over };
  const deps: BuildDeps = {
    planBuild: (...args) => { calls.planBuild += 1; return base.planBuild(...args); },
    packerSession: (...args) => { calls.packerSession += 1; return base.packerSession(...args); },
    readLock: (...args) => { calls.readLock += 1; return base.readLock(...args); },
  };
  return { deps, calls };
}

/**
 * A recorded stand-in for packer: a script that appends each invocation's arguments to a log,
 * answers `version` and `validate` with the real packer, and for `build` packs a minimal box for
 * `boxName` (a metadata.json naming libvirt) plus a package list, as the real build would leave them.
 */
export async function fakePacker(boxName: string): Promise<{ path: string; invocations(): Promise<string[]>; clear(): Promise<void>; remove(): Promise<void> }> {
  if (!realPacker) throw new Error('the fake packer delegates to the real one');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bw-fake-packer-'));
  const log = path.join(dir, 'invocations.log');
  const script = path.join(dir, 'packer');
  await writeFile(script, `#!/bin/bash
set -euo pipefail
printf '%s\\n' "$*" >> ${JSON.stringify(log)}
case "\${1:-}" in
  build)
    mkdir -p artifacts box.tmp
    printf '{"provider":"libvirt","format":"qcow2","virtual_size":1}\\n' > box.tmp/metadata.json
    tar -C box.tmp -czf artifacts/${boxName} metadata.json
    printf 'base-files\\t12.4\\tamd64\\nnginx\\t1.22.1\\tamd64\\n' > artifacts/packages.tsv
    echo "1,,ui,say,==> qemu.fake: recorded build"
    ;;
  *) exec ${JSON.stringify(realPacker)} "$@" ;;
esac
`);
  await chmod(script, 0o755);
  await writeFile(log, '');
  return {
    path: script,
    invocations: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean),
    clear: () => writeFile(log, ''),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
