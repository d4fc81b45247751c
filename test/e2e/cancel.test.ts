import test from 'ava';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildImage } from '../../lib/builder/build-image.js';
import { BoxwrightError } from '../../lib/errors.js';
import { e2eEnabled, loadStackSpec } from './support.js';

const e2e = e2eEnabled && process.getuid?.() === 0 ? test.serial : test.serial.skip;

/** qemu processes whose working directory is inside `dir` (packer runs qemu in the build folder). */
function qemuProcessesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.startsWith('/usr/bin/qemu-system') && !cmdline.startsWith('qemu-system')) continue;
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(dir)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** True while `pid` runs (a zombie waiting to be reaped by init has ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /s.test(stat);
  } catch {
    return false;
  }
}

e2e('[e2e] cancelling a VM build mid-provision leaves no qemu process, no temp folder and no artifact', async (t) => {
  const outDir = await mkdtemp(path.join(tmpdir(), 'bw-cancel-'));
  t.teardown(() => rm(outDir, { recursive: true, force: true }));
  const spec = await loadStackSpec();
  const controller = new AbortController();
  const seenQemu = new Set<number>();
  const watcher = setInterval(() => { for (const pid of qemuProcessesUnder(outDir)) seenQemu.add(pid); }, 500);
  t.teardown(() => clearInterval(watcher));
  let abortedAt = '';
  const build = buildImage(spec, {
    outDir, base: 'debian-12', kind: 'vm', accelerator: 'tcg', force: true, signal: controller.signal,
    onEvent: (event) => {
      if (event.type === 'step' && !controller.signal.aborted) {
        abortedAt = event.name;
        controller.abort();
      }
    },
  });
  const error = await t.throwsAsync(build, { instanceOf: BoxwrightError });
  clearInterval(watcher);
  t.is(error?.code, 'E_CANCELLED');
  t.log(`aborted at step ${abortedAt}`);
  t.not(abortedAt, '', 'the build reached provisioning before it was cancelled');
  t.true(seenQemu.size > 0, 'a qemu process ran during the build');
  for (const pid of seenQemu) t.false(running(pid), `qemu ${pid} is still running`);
  t.deepEqual(qemuProcessesUnder(outDir), []);
  t.deepEqual(await readdir(outDir), [], 'no temp folder and no artifact remain');
});
