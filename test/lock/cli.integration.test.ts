import test from 'ava';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { lockCommand, runLock } from '../../lib/cli/lock.js';
import { isBoxwrightError } from '../../lib/errors.js';
import { LOCK_FILE } from '../../lib/lock/index.js';
import { captureIo, copyStackImage } from './helpers.js';

const signal = new AbortController().signal;

test('the lock command writes the lock, finds it up to date, reports a change with exit 1, and rewrites it with --update', async (t) => {
  const dir = await copyStackImage(t);
  const file = path.join(dir, LOCK_FILE);

  let io = captureIo();
  t.is(await runLock([dir, '--base', 'debian-12'], signal, io), 0);
  t.is(io.out(), `${file}\n`);
  t.regex(io.err(), /wrote/);
  const written = await readFile(file, 'utf8');
  t.regex(written, /"recipeHash": "[0-9a-f]{64}"/);

  io = captureIo();
  t.is(await runLock([dir, '--base', 'debian-12'], signal, io), 0);
  t.regex(io.err(), /lock up to date/);
  t.is(await readFile(file, 'utf8'), written, 'an up-to-date check does not touch the file');

  await appendFile(path.join(dir, 'app', 'server.js'), '\n// a change\n');
  io = captureIo();
  t.is(await runLock([dir, '--base', 'debian-12'], signal, io), 1);
  t.regex(io.out(), /^app\.sourceHash: lock has "[0-9a-f]{64}", now "[0-9a-f]{64}"$/m);
  t.regex(io.err(), /--update/);
  t.is(await readFile(file, 'utf8'), written, 'a failed check does not touch the file');

  io = captureIo();
  t.is(await runLock([dir, '--base', 'debian-12', '--update'], signal, io), 0);
  t.regex(io.err(), /updated 1 field/);
  t.not(await readFile(file, 'utf8'), written);

  io = captureIo();
  t.is(await runLock([path.join(dir, 'image.json'), '--base', 'debian-12'], signal, io), 0, 'the image.json path works too');
  t.regex(io.err(), /lock up to date/);
});

test('the lock command refuses a missing image argument and unknown flags as usage errors', async (t) => {
  const io = captureIo();
  t.true(isBoxwrightError(await t.throwsAsync(runLock([], signal, io)), 'E_USAGE'));
  t.true(isBoxwrightError(await t.throwsAsync(runLock(['images/foobar-web', '--frobnicate'], signal, io)), 'E_USAGE'));
  t.true(isBoxwrightError(await t.throwsAsync(runLock(['images/foobar-web', '--base', 'debian-11'], signal, io)), 'E_USAGE'));
});

test('the lock command has the shape of the other CLI commands', (t) => {
  t.is(typeof lockCommand.summary, 'string');
  t.regex(lockCommand.help, /^Usage: boxwright lock <image> \[--update\]/);
  t.is(typeof lockCommand.run, 'function');
});
