import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireMutex, mutexOwner, withMutex } from '../../lib/util/mutex.js';

const mutexModule = fileURLToPath(new URL('../../lib/util/mutex.ts', import.meta.url));

async function scratch(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'boxwright-mutex-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('eight processes incrementing one counter under the mutex lose no update', async (t) => {
  const dir = await scratch(t);
  const counter = path.join(dir, 'counter');
  await writeFile(counter, '0');
  const script = `
    import { readFile, writeFile } from 'node:fs/promises';
    import { withMutex } from ${JSON.stringify(mutexModule)};
    for (let i = 0; i < 10; i++) {
      await withMutex(${JSON.stringify(path.join(dir, 'm.lock'))}, async () => {
        const n = Number(await readFile(${JSON.stringify(counter)}, 'utf8'));
        await new Promise((r) => setTimeout(r, 2));
        await writeFile(${JSON.stringify(counter)}, String(n + 1));
      }, { pollMs: 5 });
    }`;
  await Promise.all(Array.from({ length: 8 }, () => execa('node', ['--import=tsx', '--input-type=module', '-e', script])));
  t.is(await readFile(counter, 'utf8'), '80');
});

test('an empty young mutex file is live, an empty old one is stale', async (t) => {
  const dir = await scratch(t);
  const file = path.join(dir, 'm.lock');
  await writeFile(file, '');
  await t.throwsAsync(acquireMutex(file, { wait: false }), { code: 'E_BUSY' } as never);
  const old = new Date(Date.now() - 60_000);
  await utimes(file, old, old);
  const release = await acquireMutex(file, { wait: false });
  t.is((await mutexOwner(file))?.pid, process.pid);
  await release();
});

test('a mutex whose owner died is taken over', async (t) => {
  const dir = await scratch(t);
  const file = path.join(dir, 'm.lock');
  const dead = await execa('node', ['-e', 'console.log(process.pid)']);
  await writeFile(file, `${dead.stdout.trim()} ${hostname()} deadbeef\n`);
  const release = await acquireMutex(file, { wait: false });
  t.is((await mutexOwner(file))?.pid, process.pid);
  await release();
});

test('release removes only the mutex its caller holds', async (t) => {
  const dir = await scratch(t);
  const file = path.join(dir, 'm.lock');
  const release = await acquireMutex(file);
  await rm(file);
  await writeFile(file, `1 ${hostname()} someoneelse\n`);
  await release();
  t.is((await mutexOwner(file))?.token, 'someoneelse');
});

test('a waiter gets the mutex once the holder releases it', async (t) => {
  const dir = await scratch(t);
  const file = path.join(dir, 'm.lock');
  const order: string[] = [];
  const first = await acquireMutex(file);
  let waited = false;
  let markWaiting: () => void = () => {};
  const waiting = new Promise<void>((resolve) => { markWaiting = resolve; });
  const second = withMutex(file, async () => { order.push('second'); }, { pollMs: 10, onWait: () => { waited = true; markWaiting(); } });
  await waiting; // the second caller has found the mutex held (however loaded the machine is)
  order.push('first');
  await first();
  await second;
  t.deepEqual(order, ['first', 'second']);
  t.true(waited);
});
