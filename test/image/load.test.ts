import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { BoxwrightError } from '../../lib/errors.js';
import { IMAGE_FILE_MAX_BYTES, IMAGE_FILE_MAX_DEPTH, jsonDepth, loadImage } from '../../lib/image/load.js';
import { validateImage } from '../../lib/image/validate.js';

const minimal = { name: 'foobar-web', version: '1.0.0' };

async function folder(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'bw-image-load-'));
}

/** Fails instead of hanging when `promise` takes longer than `ms` (generous: the machine is shared; a blocked read never ends). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

test('loadImage refuses an image.json that is a FIFO at once instead of blocking on it', async (t) => {
  const dir = await folder();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  execFileSync('mkfifo', [path.join(dir, 'image.json')]);
  const error = await t.throwsAsync(within(20_000, loadImage(dir)), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_SPEC_READ');
  t.regex(error?.message ?? '', /not a regular file/);
});

test('loadImage refuses an image.json holding a 50 MB value by its size, without echoing it', async (t) => {
  const dir = await folder();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'image.json'), JSON.stringify({ ...minimal, description: 'x'.repeat(50_000_000) }));
  const error = await t.throwsAsync(loadImage(dir), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_SPEC_READ');
  t.regex(error?.message ?? '', new RegExp(`${IMAGE_FILE_MAX_BYTES}-byte limit`));
  t.true((error?.message.length ?? Infinity) < 400, `message of ${error?.message.length} characters`);
});

test('loadImage reads an image.json of exactly the size limit', async (t) => {
  const dir = await folder();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const json = JSON.stringify(minimal);
  await writeFile(path.join(dir, 'image.json'), json + ' '.repeat(IMAGE_FILE_MAX_BYTES - json.length));
  t.is((await loadImage(dir)).name, 'foobar-web');
});

test('validateImage quotes at most the first 40 characters of a 50 MB value', (t) => {
  const error = t.throws(() => validateImage({ ...minimal, hostname: `${'h'.repeat(50_000_000)}!` }), { instanceOf: BoxwrightError });
  t.is(error?.path, 'hostname');
  t.true((error?.message.length ?? Infinity) < 400, `message of ${error?.message.length} characters`);
  t.true(error?.message.includes(`"${'h'.repeat(40)}…"`), error?.message);
  t.false(error?.message.includes('h'.repeat(41)));
});

test('a 50 MB value of the wrong kind is named by its length, not echoed', (t) => {
  const error = t.throws(() => validateImage({ ...minimal, vm: { cpus: 'x'.repeat(50_000_000) } }), { instanceOf: BoxwrightError });
  t.is(error?.path, 'vm.cpus');
  t.true((error?.message.length ?? Infinity) < 400, `message of ${error?.message.length} characters`);
  t.regex(error?.message ?? '', /50000000 characters/);
});

test('loadImage refuses 200 000-deep nesting with a clear error, not a stack overflow', async (t) => {
  const dir = await folder();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'image.json'), `{"name":"x","version":"1.0.0","aliases":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
  const error = await t.throwsAsync(loadImage(dir), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_SPEC_READ');
  t.regex(error?.message ?? '', new RegExp(`more than ${IMAGE_FILE_MAX_DEPTH} levels`));
});

test('validateImage refuses a 200 000-deep value without a stack overflow', (t) => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 200_000; i++) deep = { a: [deep] };
  for (const spec of [{ ...minimal, aliases: deep }, { ...minimal, app: deep }, { ...minimal, colour: deep }, deep]) {
    const error = t.throws(() => validateImage(spec), { instanceOf: BoxwrightError });
    t.is(error?.code, 'E_SPEC_INVALID');
  }
});

test('JSON.parse itself reads 200 000-deep nesting (so the depth limit is the loader\'s choice)', (t) => {
  t.notThrows(() => JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`));
});

test('the nesting depth ignores brackets inside strings', (t) => {
  t.is(jsonDepth('{"description":"[[[{{{","a":[1,[2]]}'), 3);
  t.is(jsonDepth('"\\"[["'), 0);
  t.is(jsonDepth('[[[[', 2), 3);
});

test('loadImage names a file that is not JSON with a short reason', async (t) => {
  const dir = await folder();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'image.json'), `{"name": ${'x'.repeat(500_000)}}`);
  const error = await t.throwsAsync(loadImage(dir), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_SPEC_READ');
  t.regex(error?.message ?? '', /not valid JSON/);
  t.true((error?.message.length ?? Infinity) < 400);
});

test('loadImage refuses a path that does not exist, naming it', async (t) => {
  const error = await t.throwsAsync(loadImage('/nonexistent/image.json'), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_SPEC_READ');
  t.regex(error?.message ?? '', /\/nonexistent\/image\.json/);
});
