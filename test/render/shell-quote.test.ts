import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { CONFIG_SAFE, shellQuote } from '../../lib/render/shell-quote.js';
import { tempRoot } from './helpers.js';

const temp = await tempRoot('boxwright-quote-');
test.after.always(() => temp.cleanup());

/** Runs `printf %s <quoted>` in bash and returns exactly what it printed. */
async function roundTrip(value: string, cwd = temp.dir): Promise<string> {
  const { stdout } = await execa('bash', ['-c', `printf %s ${shellQuote(value)}`], { cwd, stripFinalNewline: false });
  return stdout;
}

test('a plain word is wrapped in single quotes', (t) => {
  t.is(shellQuote('nginx'), `'nginx'`);
});

test('the empty string becomes an empty quoted word, not nothing', (t) => {
  t.is(shellQuote(''), `''`);
});

test('a single quote is closed, escaped and reopened', (t) => {
  t.is(shellQuote("it's"), `'it'\\''s'`);
});

test('command substitutions and backticks stay literal inside the quotes', (t) => {
  t.is(shellQuote('$(reboot)'), `'$(reboot)'`);
  t.is(shellQuote('`reboot`'), "'`reboot`'");
});

test('numbers and booleans are quoted as their text', (t) => {
  t.is(shellQuote(3000), `'3000'`);
  t.is(shellQuote(true), `'true'`);
});

const nasty = [
  '', ' ', 'plain', "it's", "''", "'", '"', '\\', '\\\'', '$(touch canary)', '`touch canary`', '${HOME}', '$HOME', '$1 $@ $*',
  'a\nb', '\n', 'line\r\n', 'tab\there', '; touch canary #', '&& touch canary', '| touch canary', '> canary', '< /etc/passwd',
  '*', '?', '[a-z]', '~', '~root', '!!', '!$', '-n', '--', '#comment', '{a,b}', 'a b  c', "'$(touch canary)'", '"$(touch canary)"',
  'ünïcødé ✓', '\u0001\u001b[31m', "a'b'c'd", 'x'.repeat(10_000),
];

for (const [index, value] of nasty.entries()) {
  test(`bash prints nasty value #${index} ${JSON.stringify(value.slice(0, 24))} back unchanged and runs nothing`, async (t) => {
    const cwd = path.join(temp.dir, `case-${index}`);
    await mkdir(cwd);
    t.is(await roundTrip(value, cwd), value);
    t.false(existsSync(path.join(cwd, 'canary')), 'a command in the value ran');
  });
}

test('a quoted value is exactly one word, however many spaces and newlines it holds', async (t) => {
  const value = ' a  b \n c ';
  const { stdout } = await execa('bash', ['-c', `set -- ${shellQuote(value)}; printf %s "$#"`]);
  t.is(stdout, '1');
});

test('config-safe characters exclude everything a config file or shell could act on', (t) => {
  for (const safe of ['www.foobar.com', '192.168.56.10', '/opt/app', 'user@host', 'a=b,c+d', 'with space', '']) t.true(CONFIG_SAFE.test(safe), safe);
  for (const unsafe of [';', '$', '`', '"', "'", '\n', '\\', '{', '}', '#', '<', '>', '|', '&', '*', '\t']) t.false(CONFIG_SAFE.test(`a${unsafe}b`), JSON.stringify(unsafe));
});
