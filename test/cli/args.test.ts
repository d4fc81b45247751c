import test from 'ava';
import { choice, parseArgs, SHORT_FLAGS, wantsHelp, wantsJson } from '../../lib/cli/args.js';
import { isBoxwrightError } from '../../lib/errors.js';

const VALUED = ['out', 'provider', 'base', 'kind', 'accelerator', 'packer'];
const SWITCHES = ['force', 'json', 'verbose'];
const parse = (...argv: string[]) => parseArgs(argv, VALUED, SWITCHES);

function usageError(t: import('ava').ExecutionContext, run: () => unknown, message: RegExp): void {
  const error = t.throws(run);
  t.true(isBoxwrightError(error, 'E_USAGE'), String(error));
  t.regex(error?.message ?? '', message);
}

test('-o DIR, --out DIR and --out=DIR give the same value', (t) => {
  for (const argv of [['-o', 'd'], ['--out', 'd'], ['--out=d'], ['-od']]) {
    t.deepEqual(parse('images/x', ...argv), { positionals: ['images/x'], flags: { out: 'd' } }, argv.join(' '));
  }
});

test('every short flag stands for its long flag, and short switches combine', (t) => {
  t.deepEqual(parse('-p', 'virtualbox', '-b', 'debian-12', '-k', 'vm', '-a', 'tcg', '-fo', 'out').flags,
    { provider: 'virtualbox', base: 'debian-12', kind: 'vm', accelerator: 'tcg', force: true, out: 'out' });
  t.is(SHORT_FLAGS.out, 'o');
  t.is(new Set(Object.values(SHORT_FLAGS)).size, Object.values(SHORT_FLAGS).length, 'no short flag means two things');
  t.false(Object.values(SHORT_FLAGS).includes('v'), '-v stays the version');
});

test('-- ends the options: what follows is positional even when it looks like a flag', (t) => {
  t.deepEqual(parse('--out', 'd', '--', 'images/x'), { positionals: ['images/x'], flags: { out: 'd' } });
  t.deepEqual(parse('--', '--force', '-o'), { positionals: ['--force', '-o'], flags: {} });
});

test('an unknown long or short flag is a usage error naming it', (t) => {
  usageError(t, () => parse('--colour', 'blue'), /unknown option --colour/);
  usageError(t, () => parse('-x'), /unknown option -x/);
});

test('a valued flag without its value is a usage error naming the flag', (t) => {
  usageError(t, () => parse('--out'), /--out needs a value/);
  usageError(t, () => parse('-o'), /--out needs a value/);
  usageError(t, () => parse('--out', '--force'), /--out needs a value/);
  usageError(t, () => parse('--out='), /--out needs a value/);
});

test('a switch given a value is a usage error', (t) => {
  usageError(t, () => parse('--force=yes'), /--force takes no value/);
});

test('--help and -h are accepted by the parser and seen by wantsHelp only before --', (t) => {
  t.deepEqual(parse('-h').flags, {});
  t.true(wantsHelp(['x', '--help']));
  t.true(wantsHelp(['-h']));
  t.false(wantsHelp(['--', '--help']));
  t.true(wantsJson(['x', '--json']));
  t.false(wantsJson(['--', '--json']));
});

test('a choice outside its list names the choices and cuts a long value', (t) => {
  const error = t.throws(() => choice({ provider: `vmware${'x'.repeat(500)}` }, 'provider', ['libvirt', 'virtualbox']));
  t.true(isBoxwrightError(error, 'E_USAGE'));
  t.regex(error?.message ?? '', /--provider must be one of libvirt, virtualbox/);
  t.true((error?.message.length ?? 0) < 120);
});
