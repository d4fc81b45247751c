import { spawn } from 'node:child_process';
import test from 'ava';
import { DescendantTracker, isAlive, readProc } from '../../lib/packer/proc-tree.js';

test('readProc reads pid, parent and process group of this process', (t) => {
  const me = readProc(process.pid);
  t.is(me?.pid, process.pid);
  t.is(me?.ppid, process.ppid);
  t.truthy(me?.startTime);
  t.is(readProc(2 ** 22 + 1), undefined);
});

test('tracker remembers an orphaned grandchild and kills only recorded descendants', async (t) => {
  const child = spawn('sh', ['-c', 'sleep 300 & echo $!; sleep 1'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const tracker = new DescendantTracker(child.pid!);
  tracker.start(50);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  await new Promise((resolve) => child.once('exit', resolve));
  tracker.stop();
  const sleepPid = Number(out.trim());
  const survivors = tracker.survivors();
  t.deepEqual(survivors.map((p) => p.pid), [sleepPid], 'only the orphaned sleep is left');
  t.false(tracker.recorded.some((p) => p.pid === process.pid));
  t.deepEqual(tracker.killSurvivors(), [sleepPid]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.false(isAlive(survivors[0]!));
});
