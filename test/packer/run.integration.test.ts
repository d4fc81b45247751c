import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { isBoxwrightError } from '../../lib/errors.js';
import { packerBuild, packerInit, packerValidate } from '../../lib/packer/run.js';
import type { PackerEvent } from '../../lib/packer/machine-readable.js';
import { isAlive, readProc } from '../../lib/packer/proc-tree.js';

const made: string[] = [];
test.after.always(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

const nullSource = { source: { null: { n: { communicator: 'none' } } } };

function template(inline: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...nullSource, build: [{ sources: ['source.null.n'], provisioner: [{ 'shell-local': { inline } }], ...extra }] };
}

async function buildDir(body: unknown, file = 'build.pkr.json'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'boxwright-packer-'));
  made.push(dir);
  await writeFile(path.join(dir, file), `${JSON.stringify(body, null, 2)}\n`);
  return dir;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

test('packerValidate accepts a good HCL2-JSON template', async (t) => {
  const dir = await buildDir(template(['echo hi']));
  const result = await packerValidate(dir, 'build.pkr.json');
  t.is(typeof result.output, 'string');
});

test('packerValidate rejects a bad template with E_PACKER_VALIDATE and packer\'s error text', async (t) => {
  const dir = await buildDir({ source: { null: { n: { communicator: 'none', bogus_option: 3 } } }, build: [{ sources: ['source.null.n'] }] });
  const error = await t.throwsAsync(packerValidate(dir, 'build.pkr.json'));
  t.true(isBoxwrightError(error, 'E_PACKER_VALIDATE'));
  t.regex(error!.message, /bogus_option/);
  t.truthy(error!.cause);
});

test('packerValidate passes vars through a var-file', async (t) => {
  const body = { variable: { greeting: { type: 'string' } }, ...template(['echo ${var.greeting}']) };
  const dir = await buildDir(body);
  await t.throwsAsync(packerValidate(dir, 'build.pkr.json'), { message: /greeting/ });
  await t.notThrowsAsync(packerValidate(dir, 'build.pkr.json', { vars: { greeting: 'hello, world' } }));
});

test('packerBuild streams typed events and returns artifacts of a null build', async (t) => {
  const extra = { 'post-processor': [{ manifest: { output: 'manifest.json' } }] };
  const body = { variable: { who: { type: 'string' } }, ...template(['echo "hello, ${var.who}"', "printf 'one\\ntwo\\n'"], extra) };
  const dir = await buildDir(body);
  const events: PackerEvent[] = [];
  const result = await packerBuild(dir, 'build.pkr.json', { onEvent: (e) => events.push(e), vars: { who: 'world' } });
  const messages = events.flatMap((e) => (e.type === 'ui' ? [e.message] : []));
  t.true(messages.includes('    null.n: hello, world'));
  t.true(messages.includes('    null.n: two'));
  t.true(events.some((e) => e.type === 'artifact-count'));
  t.is(result.artifacts[0]?.builderId, 'fnoeding.null');
  t.true(result.artifacts.every((a) => a.complete));
  t.deepEqual(result.boxes, []);
  t.true(existsSync(path.join(dir, 'manifest.json')), 'packer ran with cwd = the build folder');
});

test('packerBuild rejects a failing build with E_PACKER_BUILD and packer\'s error lines', async (t) => {
  const dir = await buildDir(template(['echo going down', 'exit 1']));
  const error = await t.throwsAsync(packerBuild(dir, 'build.pkr.json'));
  t.true(isBoxwrightError(error, 'E_PACKER_BUILD'));
  t.regex(error!.message, /null\.n: Script exited with non-zero exit status: 1/);
  t.truthy(error!.cause);
});

test('packerBuild rejects with E_CANCELLED at once when the signal is already aborted', async (t) => {
  const dir = await buildDir(template(['echo hi']));
  const error = await t.throwsAsync(packerBuild(dir, 'build.pkr.json', { signal: AbortSignal.abort() }));
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
});

async function sleeperPid(dir: string): Promise<number> {
  const file = path.join(dir, 'sleep.pid');
  mustBe(await waitFor(() => existsSync(file), 20_000), 'the provisioner wrote its pid');
  await new Promise((resolve) => setTimeout(resolve, 100));
  return Number((await readFile(file, 'utf8')).trim());
}
function mustBe(value: boolean, what: string): void {
  if (!value) throw new Error(`expected: ${what}`);
}

test('cancel interrupts a running build and leaves no sleep process behind', async (t) => {
  const dir = await buildDir(template(['echo $$ > sleep.pid', 'exec sleep 300']));
  const controller = new AbortController();
  const grace = 20_000;
  const build = packerBuild(dir, 'build.pkr.json', { signal: controller.signal, gracePeriodMs: grace });
  build.catch(() => {});
  const pid = await sleeperPid(dir);
  const sleeper = readProc(pid);
  t.truthy(sleeper, 'sleep 300 is running');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const started = Date.now();
  controller.abort();
  const error = await t.throwsAsync(build);
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
  t.true(Date.now() - started < grace, 'stopped within the grace period');
  t.false(isAlive(sleeper!), 'the sleep process is gone');
});

test('cancel kills descendants that ignore SIGINT and outlive packer', async (t) => {
  // `trap '' INT` is inherited by sleep: SIGINT cannot stop it; packer exits and orphans it.
  const dir = await buildDir(template(["trap '' INT", 'echo $$ > sleep.pid', 'exec sleep 300']));
  const controller = new AbortController();
  const build = packerBuild(dir, 'build.pkr.json', { signal: controller.signal, gracePeriodMs: 20_000 });
  build.catch(() => {});
  const sleeper = readProc(await sleeperPid(dir));
  t.truthy(sleeper);
  controller.abort();
  const error = await t.throwsAsync(build);
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
  t.false(isAlive(sleeper!), 'the orphaned sleep was killed');
});

test('cancel force-kills a packer that ignores SIGINT after the grace period', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'boxwright-fake-packer-'));
  made.push(dir);
  const fake = path.join(dir, 'packer');
  await writeFile(fake, [
    '#!/bin/sh',
    "trap '' INT",
    'echo "1,,ui,say,==> fake.n: started"',
    'sleep 300 &',
    'echo $! > sleep.pid',
    'wait',
    '',
  ].join('\n'));
  await chmod(fake, 0o755);
  const controller = new AbortController();
  const events: PackerEvent[] = [];
  const build = packerBuild(dir, 'build.pkr.json', { packerPath: fake, signal: controller.signal, gracePeriodMs: 1_000, onEvent: (e) => events.push(e) });
  build.catch(() => {});
  const sleeper = readProc(await sleeperPid(dir));
  t.truthy(sleeper);
  const started = Date.now();
  controller.abort();
  const error = await t.throwsAsync(build);
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
  t.regex(error!.message, /did not stop within 1000 ms/);
  t.true(Date.now() - started < 10_000);
  t.false(isAlive(sleeper!));
  t.deepEqual(events[0], { type: 'ui', timestamp: 1, target: '', level: 'say', message: '==> fake.n: started' });
});

test('packerInit explains that packer 1.6.6 has no init', async (t) => {
  const dir = await buildDir(template(['echo hi']));
  const error = await t.throwsAsync(packerInit(dir, { templateFile: 'build.pkr.json' }));
  t.true(isBoxwrightError(error, 'E_PACKER_INIT'));
  t.regex(error!.message, /needs packer 1\.7 or newer/);
});
