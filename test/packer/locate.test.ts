import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { isBoxwrightError } from '../../lib/errors.js';
import { locatePacker } from '../../lib/packer/locate.js';

const made: string[] = [];
test.after.always(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function fakePacker(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'boxwright-locate-'));
  made.push(dir);
  const file = path.join(dir, 'packer');
  await writeFile(file, '#!/bin/sh\necho "Packer v1.7.0"\n');
  await chmod(file, 0o755);
  return { dir, file };
}

test('locate prefers the packerPath option', async (t) => {
  const { file } = await fakePacker();
  t.is(await locatePacker({ packerPath: file, env: { PACKER_PATH: '/nope/packer', PATH: '' } }), file);
});

test('locate uses PACKER_PATH before PATH', async (t) => {
  const { file } = await fakePacker();
  t.is(await locatePacker({ env: { PACKER_PATH: file, PATH: '/usr/bin' } }), file);
});

test('locate searches PATH', async (t) => {
  const { dir, file } = await fakePacker();
  t.is(await locatePacker({ env: { PATH: `/nonexistent${path.delimiter}${dir}` } }), file);
});

test('locate fails with E_PACKER_MISSING and says how to install', async (t) => {
  const error = await t.throwsAsync(locatePacker({ env: { PATH: '/nonexistent' } }));
  t.true(isBoxwrightError(error, 'E_PACKER_MISSING'));
  t.regex(error!.message, /apt-get install packer or set --packer\/PACKER_PATH/);
});

test('locate refuses a packerPath that is not executable', async (t) => {
  const { file } = await fakePacker();
  await chmod(file, 0o644);
  const error = await t.throwsAsync(locatePacker({ packerPath: file }));
  t.true(isBoxwrightError(error, 'E_PACKER_MISSING'));
});
