import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { hostnameProblem, ipv4Problem, isHostIPv4, isHostname, isLabName, isVmHostname, parsePort, vmHostnameProblem } from '../../lib/image/values.js';

/** One row of the table shared with the Ruby side (vagrant/settings.rb): the value and the verdict. */
interface Case {
  value: unknown;
  valid: boolean;
  why?: string;
}

const file = path.resolve(import.meta.dirname, '../fixtures/values/cases.json');
const table = JSON.parse(await readFile(file, 'utf8')) as Record<string, Case[]>;

/** The TypeScript verdict of each kind of value in the table. */
const verdicts: Record<string, (value: unknown) => boolean> = {
  hostname: (value) => typeof value === 'string' && isHostname(value),
  vmHostname: (value) => typeof value === 'string' && isVmHostname(value),
  ipv4: (value) => typeof value === 'string' && isHostIPv4(value),
  port: (value) => parsePort(value) !== undefined,
  labName: (value) => typeof value === 'string' && isLabName(value),
};

test('the shared case table has every kind of value, each with at least 15 cases of both verdicts', (t) => {
  t.deepEqual(Object.keys(table).sort(), Object.keys(verdicts).sort());
  for (const [kind, cases] of Object.entries(table)) {
    t.true(cases.length >= 15, `${kind}: ${cases.length} cases`);
    t.true(cases.some((c) => c.valid) && cases.some((c) => !c.valid), kind);
    for (const c of cases) if (!c.valid) t.truthy(c.why, `${kind} ${JSON.stringify(c.value)} says why it is refused`);
  }
});

for (const [kind, cases] of Object.entries(table)) {
  test(`the TypeScript rules give the table's verdict on every ${kind} case`, (t) => {
    const verdict = verdicts[kind];
    if (!verdict) return t.fail(`no rule for ${kind}`);
    for (const c of cases) t.is(verdict(c.value), c.valid, `${kind} ${JSON.stringify(c.value)}${c.why ? ` (${c.why})` : ''}`);
  });
}

test('the table holds the names and addresses issues 12 and 14 found accepted', (t) => {
  const refused = (kind: string): unknown[] => (table[kind] ?? []).filter((c) => !c.valid).map((c) => c.value);
  for (const name of ['localhost', 'www.123', '10.0.0.5']) t.true(refused('hostname').includes(name), name);
  t.true(refused('ipv4').includes('192.168.56.255'));
  t.true(refused('vmHostname').some((name) => typeof name === 'string' && name.length === 65));
});

test('a refused value comes with a reason that names what is wrong', (t) => {
  t.regex(hostnameProblem('localhost') ?? '', /reserved/);
  t.regex(hostnameProblem('www.123') ?? '', /all-numeric/);
  t.regex(vmHostnameProblem(`www.${'c'.repeat(57)}.com`) ?? '', /64/);
  t.regex(ipv4Problem('192.168.56.255') ?? '', /broadcast/);
  t.regex(ipv4Problem('192.168.56.0') ?? '', /network/);
  t.is(ipv4Problem('192.168.56.10'), undefined);
});

test('a port given as a string reads as the number it spells', (t) => {
  t.is(parsePort('8080'), 8080);
  t.is(parsePort(8080), 8080);
  t.is(parsePort('08080'), undefined);
});
