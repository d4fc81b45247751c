import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { schemaErrors } from '../helpers/json-schema.js';
import { fakeBox } from '../publish/helpers.js';
import { tempRoot } from '../render/helpers.js';
import { cli, eventLines, eventSchema, FAKE_PACKER } from './helpers.js';

const temp = await tempRoot('boxwright-cli-json-');
test.after.always(() => temp.cleanup());

/** Every line is valid against schema/events.schema.json and names `command`. */
function assertEvents(t: import('ava').ExecutionContext, stdout: string, command: string): Array<Record<string, unknown>> {
  const lines = eventLines(stdout);
  t.true(lines.length > 0, 'at least one event');
  for (const { event, errors } of lines) {
    t.deepEqual(errors, [], JSON.stringify(event));
    t.true(event.command === command || (command === 'build' && event.command === 'check'), JSON.stringify(event));
  }
  return lines.map((line) => line.event);
}

test('the event schema rejects a line without command, an unknown type and a result of the wrong shape', (t) => {
  t.notDeepEqual(schemaErrors(eventSchema, { type: 'phase', phase: 'boot', elapsedMs: 1 }), []);
  t.notDeepEqual(schemaErrors(eventSchema, { command: 'build', type: 'progress' }), []);
  t.notDeepEqual(schemaErrors(eventSchema, { command: 'build', type: 'result', box: 'x.box' }), []);
  t.notDeepEqual(schemaErrors(eventSchema, { command: 'build', type: 'phase', phase: 'boot', elapsedMs: 1, token: 'x' }), []);
  t.deepEqual(schemaErrors(eventSchema, { command: 'build', type: 'phase', phase: 'boot', elapsedMs: 1 }), []);
});

test('build --json prints only schema-valid events on stdout, ending in an error event when packer fails', async (t) => {
  const out = path.join(temp.dir, 'build');
  const result = await cli(['build', 'images/foobar-web', '-b', 'ubuntu-24.04', '-k', 'vm', '-o', out, '--packer', FAKE_PACKER, '--json'], { env: { FAKE_PACKER_MODE: 'fail' } });
  t.is(result.exitCode, 1, result.stderr);
  const events = assertEvents(t, result.stdout, 'build');
  const types = new Set(events.map((e) => e.type));
  for (const type of ['phase', 'cache', 'step', 'log', 'error']) t.true(types.has(type), type);
  t.like(events.at(-1), { type: 'error', code: 'E_PACKER_BUILD', exitCode: 1 });
  t.regex(result.stderr, /boxwright build: packer build failed/, 'the error is on stderr too');
});

test('diff --json prints a schema-valid result event', async (t) => {
  const manifest = path.join(temp.dir, 'manifest.json');
  await writeFile(manifest, JSON.stringify({ packages: [{ name: 'nginx', version: '1', architecture: 'amd64' }] }));
  const result = await cli(['diff', manifest, manifest, '--json']);
  t.is(result.exitCode, 0);
  t.like(assertEvents(t, result.stdout, 'diff')[0], { type: 'result', identical: true });
});

test('check --json of a corrupt manifest prints a schema-valid error event with exit code 2', async (t) => {
  const dir = path.join(temp.dir, 'check');
  await mkdir(dir);
  await writeFile(path.join(dir, 'build-manifest.json'), '{');
  const result = await cli(['check', dir, '--json']);
  t.is(result.exitCode, 2);
  t.like(assertEvents(t, result.stdout, 'check')[0], { type: 'error', code: 'E_USAGE', exitCode: 2 });
});

test('publish --json to a catalog prints its steps and results on stdout, all schema-valid, nothing of it on stderr', async (t) => {
  const src = path.join(temp.dir, 'publish-src');
  await mkdir(src);
  await fakeBox(src);
  const catalog = path.join(temp.dir, 'catalog');
  const result = await cli(['publish', src, '--catalog', catalog, '--base-url', 'https://boxes.example.com/foobar-web/', '--json']);
  t.is(result.exitCode, 0, result.stderr);
  const events = assertEvents(t, result.stdout, 'publish');
  t.true(events.some((e) => e.type === 'publish-step'));
  t.like(events.at(-1), { type: 'result', target: 'catalog', version: '1.0.0', provider: 'libvirt', noop: false });
  t.notRegex(result.stderr, /"type"/);
});

test('db-promote --json speaks the same schema: its steps, its result, and an error event when there is no lab', async (t) => {
  t.deepEqual(schemaErrors(eventSchema, { command: 'db-promote', type: 'db-promote-step', step: 'repoint', machine: 'app1', message: 'app1 writes to db2', elapsedMs: 12 }), []);
  t.deepEqual(schemaErrors(eventSchema, { command: 'db-promote', type: 'result', primary: 'db2', apps: ['app1', 'app2'], totalMs: 900 }), []);
  t.notDeepEqual(schemaErrors(eventSchema, { type: 'db-promote', step: 'done', message: 'x', elapsedMs: 1 }), [], 'the old bare line is refused');
  const empty = path.join(temp.dir, 'no-lab');
  await mkdir(empty);
  const result = await cli(['db-promote', '--lab', empty, '--json']);
  t.not(result.exitCode, 0);
  t.like(assertEvents(t, result.stdout, 'db-promote').at(-1), { type: 'error', command: 'db-promote' });
});
