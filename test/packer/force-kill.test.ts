import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { isBoxwrightError } from '../../lib/errors.js';
import { locatePacker } from '../../lib/packer/locate.js';
import { isAlive, readProc, type ProcInfo } from '../../lib/packer/proc-tree.js';
import { isForceReason, packerBuild } from '../../lib/packer/run.js';

const packerPath = await locatePacker().catch(() => undefined);
const withPacker = packerPath ? test : test.skip;
const fixture = path.resolve('test/fixtures/packer/null-sleep-child.pkr.json');

/** Waits until the fixture's shell and its child have written their PIDs; returns every process of packer's group. */
async function runningGroup(dir: string): Promise<ProcInfo[]> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const pids = await Promise.all(['shell.pid', 'child.pid'].map((file) => readFile(path.join(dir, file), 'utf8').then(Number, () => undefined)));
    if (pids.every((pid) => pid !== undefined)) {
      const child = readProc(pids[1]!);
      if (child) {
        const group: ProcInfo[] = [];
        for (const name of await readdir('/proc')) {
          if (!/^\d+$/.test(name)) continue;
          const info = readProc(Number(name));
          if (info && info.pgid === child.pgid) group.push(info);
        }
        return group;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the fixture never started');
}

async function fixtureDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bw-force-kill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await copyFile(fixture, path.join(dir, 'build.pkr.json'));
  return dir;
}

test('a force reason is the string "force" or an object with force: true, nothing else', (t) => {
  t.true(isForceReason('force'));
  t.true(isForceReason({ force: true }));
  t.true(isForceReason(Object.assign(new Error('SIGTERM'), { force: true })));
  for (const reason of [undefined, 'SIGINT', new Error('force'), { force: 'yes' }, null]) t.false(isForceReason(reason), String(reason));
});

withPacker('a second abort (forceSignal) while packer cleans up kills its whole group and the children at once', async (t) => {
  const dir = await fixtureDir(t);
  const signal = new AbortController();
  const force = new AbortController();
  const build = packerBuild(dir, 'build.pkr.json', { packerPath: packerPath!, signal: signal.signal, forceSignal: force.signal, gracePeriodMs: 120_000 });
  build.catch(() => {});
  const group = await runningGroup(dir);
  t.true(group.length >= 5, `packer, its plugins, the shell and its child run (${group.length})`);
  const started = Date.now();
  signal.abort(new Error('SIGINT'));
  force.abort('force');
  const error = await t.throwsAsync(build);
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
  t.regex(error!.message, /killed at once/);
  t.true(Date.now() - started < 10_000, 'no grace period was waited for');
  t.deepEqual(group.filter(isAlive).map((p) => p.pid), [], 'no process of the group survives');
});

withPacker('an abort whose reason asks for force kills packer group at once, without SIGINT first', async (t) => {
  const dir = await fixtureDir(t);
  const signal = new AbortController();
  const build = packerBuild(dir, 'build.pkr.json', { packerPath: packerPath!, signal: signal.signal, gracePeriodMs: 120_000 });
  build.catch(() => {});
  const group = await runningGroup(dir);
  signal.abort({ force: true, signal: 'SIGTERM' });
  const error = await t.throwsAsync(build);
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
  t.regex(error!.message, /killed at once/);
  t.deepEqual(group.filter(isAlive).map((p) => p.pid), [], 'no process of the group survives');
});

withPacker('the force signal aborted before the build starts refuses to start packer', async (t) => {
  const dir = await fixtureDir(t);
  const error = await t.throwsAsync(packerBuild(dir, 'build.pkr.json', { packerPath: packerPath!, forceSignal: AbortSignal.abort('force') }));
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
});
