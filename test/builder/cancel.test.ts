import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { runBuild } from '../../lib/builder/build-image.js';
import { isBoxwrightError } from '../../lib/errors.js';
import { isAlive, readProc, type ProcInfo } from '../../lib/packer/proc-tree.js';
import { testCacheDir } from '../render/helpers.js';
import { countingDeps, customBaseSpec, realPacker } from './helpers.js';
import { packerSession } from '../../lib/builder/packer-session.js';

const withPacker = realPacker ? test : test.skip;
const fixture = path.resolve('test/fixtures/packer/null-sleep-child.pkr.json');

/** The processes of one process group now. */
async function groupOf(pgid: number): Promise<ProcInfo[]> {
  const group: ProcInfo[] = [];
  for (const name of (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry))) {
    const info = readProc(Number(name));
    if (info?.pgid === pgid) group.push(info);
  }
  return group;
}

/** Waits for the fixture's child in the build folder under outDir; returns packer's process group. */
async function runningGroup(outDir: string): Promise<ProcInfo[]> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    for (const entry of await readdir(outDir).catch(() => [] as string[])) {
      const pid = Number(await readFile(path.join(outDir, entry, 'build', 'child.pid'), 'utf8').catch(() => 'NaN'));
      const child = Number.isInteger(pid) ? readProc(pid) : undefined;
      if (child) return groupOf(child.pgid);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('packer never started the fixture');
}

withPacker('a second signal during a build kills packer group and its children at once, and the build folder is still removed', async (t) => {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'bw-build-cancel-'));
  t.teardown(() => rm(outDir, { recursive: true, force: true }));
  // The real packer; its build runs a null template whose shell ignores SIGINT/SIGTERM and spawns a child.
  const { deps } = countingDeps({
    packerSession: async (packerPath) => {
      const session = await packerSession(packerPath);
      return { ...session, build: async (dir, hooks) => { await copyFile(fixture, path.join(dir, 'build.pkr.json')); return session.build(dir, hooks); } };
    },
  });
  const signal = new AbortController();
  const force = new AbortController();
  const build = runBuild(await customBaseSpec(), { outDir, provider: 'libvirt', kind: 'vm', accelerator: 'tcg', cacheDir: testCacheDir, signal: signal.signal, forceSignal: force.signal }, deps);
  build.catch(() => {});
  const group = await runningGroup(outDir);
  t.true(group.length >= 4, `packer, its plugins, the shell and the child run (${group.length})`);
  signal.abort(new Error('SIGINT'));
  force.abort('force');
  const error = await t.throwsAsync(build);
  t.true(isBoxwrightError(error, 'E_CANCELLED'), String(error));
  t.deepEqual(group.filter(isAlive).map((p) => p.pid), [], 'no process of the group survives');
  t.deepEqual(await readdir(outDir), [], 'the build folder is gone and nothing was published');
});
