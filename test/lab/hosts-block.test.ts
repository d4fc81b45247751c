import test from 'ava';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { removeHostsBlock, setHostsBlock, hostsEntry, detectEol } from '../../lib/lab/hosts-block.js';

interface Case {
  name: string;
  input: string;
  op: 'set' | 'remove';
  id: string;
  entries?: string[];
  expected?: string;
  error?: boolean;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = `${root}test/fixtures/lab/hosts-block-cases.json`;
const { cases } = JSON.parse(readFileSync(fixture, 'utf8')) as { cases: Case[] };

function applyTs(c: Case, input = c.input): string {
  return c.op === 'set' ? setHostsBlock(input, c.id, c.entries ?? []) : removeHostsBlock(input, c.id);
}

/** Runs every case through the Ruby implementation in one process. */
function applyRuby(list: Case[]): Array<{ output?: string; error?: string }> {
  const out = execFileSync('ruby', [`${root}vagrant/cli.rb`, 'hosts-block'], { input: JSON.stringify({ cases: list }) });
  return JSON.parse(out.toString('utf8')) as Array<{ output?: string; error?: string }>;
}

const ruby = applyRuby(cases);
// Applying each case's op to its expected output must change nothing (idempotence).
const rubyAgain = applyRuby(cases.filter((c) => !c.error).map((c) => ({ ...c, input: c.expected ?? '' })));

for (const [i, c] of cases.entries()) {
  test(`the TypeScript hosts block: ${c.name}`, (t) => {
    if (c.error) {
      t.throws(() => applyTs(c), { message: /without/ });
      return;
    }
    const out = applyTs(c);
    t.is(out, c.expected ?? '');
    t.is(applyTs(c, out), out, 'applying the same operation twice changes nothing');
  });

  test(`the Ruby hosts block: ${c.name}`, (t) => {
    const r = ruby[i];
    if (c.error) {
      t.regex(r?.error ?? '', /without/);
      return;
    }
    t.is(r?.output, c.expected);
  });
}

test('the Ruby hosts block is idempotent on every case', (t) => {
  const ok = cases.filter((c) => !c.error);
  t.deepEqual(
    rubyAgain.map((r) => r.output),
    ok.map((c) => c.expected),
  );
});

test('removing a freshly set block restores every fixture input exactly', (t) => {
  for (const c of cases.filter((x) => x.op === 'set' && !x.error && !x.input.includes(`# BEGIN boxwright ${x.id}`))) {
    t.is(removeHostsBlock(setHostsBlock(c.input, c.id, ['10.0.0.1 a.test']), c.id), c.input, c.name);
  }
});

test('a hosts entry is the IP then the names separated by single spaces', (t) => {
  t.is(hostsEntry('192.168.56.10', ['www.foobar.com', 'foobar.com']), '192.168.56.10 www.foobar.com foobar.com');
});

test('the line ending is the first one found and LF when there is none', (t) => {
  t.is(detectEol('a\r\nb\n'), '\r\n');
  t.is(detectEol('a\nb\r\n'), '\n');
  t.is(detectEol('single line'), '\n');
  t.is(detectEol('\n'), '\n');
});
