import test from 'ava';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type BenchReport, evaluateTargets, formatReport, formatValue, median, ratioOf, type TargetSpec } from '../../bench/report.js';

async function fixtureReport(): Promise<BenchReport> {
  const text = await readFile(fileURLToPath(new URL('./fixtures/report.json', import.meta.url)), 'utf8');
  const report = JSON.parse(text) as BenchReport;
  report.targets = evaluateTargets(report.figures, report.ratios);
  return report;
}

test('the report prints as markdown tables with units, ratios, targets and failed sections', async (t) => {
  const text = formatReport(await fixtureReport());
  const lines = text.split('\n');
  t.is(lines[0], 'Machine: Example CPU @ 2.00GHz, 2 cores, 24 GiB RAM, accelerator tcg; packer 1.6.6, qemu 7.2.22, node v20.20.2; 2026-11-25T23:00:00.000Z; commit 0123456789ab.');
  t.is(lines[1], 'Load average (1/5/15 min): 2.5 / 2.25 / 2 at the start, 3 / 2.5 / 2.13 at the end.');
  t.true(lines.includes('| Figure | Value | How |'));
  t.true(lines.includes('| compose + render, in process | 21.4 ms | median of 50 |'));
  t.true(lines.includes('| chroot build, cold | 95 s |  |'), 'ms from 10 s on are shown in seconds');
  t.true(lines.includes('| chroot box size | 281000000 bytes |  |'));
  t.true(lines.includes('| vm cache hit \\| library | not measured |  |'), 'a pipe in a label is escaped');
  t.true(lines.includes('| stack vm build / bare build | 1.3× |'));
  t.true(lines.includes('| compose+render | ≤ 50 ms | 21.4 ms | yes |'));
  t.true(lines.includes('| box size, vm | ≤ 300 MB | 312.5 MB | no |'));
  t.true(lines.includes('| stack vm build / bare build | ≤ 1.1× | 1.3× | no |'));
  t.true(lines.includes('| chroot faster than vm | ≥ 2.5× | 2.74× | yes |'));
  t.true(lines.includes('| cache hit (library), vm | ≤ 2000 ms | not measured | n/a |'));
  t.true(lines.includes('- cache hit vm: the second build was not a cache hit'), 'only the first line of an error');
  t.true(text.endsWith('\n'));
});

test('the same report formats to the same text', async (t) => {
  t.is(formatReport(await fixtureReport()), formatReport(await fixtureReport()));
});

test('targets are met, missed, or not measured', (t) => {
  const targets: Record<string, TargetSpec> = {
    fast: { on: 'a', kind: 'max', limit: 10, unit: 'ms' },
    big: { on: 'r', kind: 'min', limit: 3, unit: '×' },
    none: { on: 'missing', kind: 'max', limit: 1, unit: 'ms' },
  };
  const result = evaluateTargets({ a: { label: 'a', value: 10, unit: 'ms' } }, { r: { label: 'r', value: 2.9, of: 'x / y' } }, targets);
  t.deepEqual(result, {
    fast: { target: '≤ 10 ms', actual: '10 ms', met: true },
    big: { target: '≥ 3×', actual: '2.9×', met: false },
    none: { target: '≤ 1 ms', actual: 'not measured', met: null },
  });
});

test('the median of an even count is the mean of the middle two', (t) => {
  t.is(median([5, 1, 3]), 3);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.true(Number.isNaN(median([])));
});

test('a ratio of a missing or zero figure is not measured', (t) => {
  const figures = { a: { label: 'a', value: 9, unit: 'ms' }, b: { label: 'b', value: 3, unit: 'ms' }, z: { label: 'z', value: 0, unit: 'ms' } };
  t.is(ratioOf(figures, 'a', 'b', 'a/b').value, 3);
  t.is(ratioOf(figures, 'a', 'z', 'a/z').value, null);
  t.is(ratioOf(figures, 'a', 'nope', 'a/nope').value, null);
});

test('values are shown with their unit', (t) => {
  t.is(formatValue(1234.56, 'ms'), '1234.6 ms');
  t.is(formatValue(61_000, 'ms'), '61 s');
  t.is(formatValue(null, 'MB'), 'not measured');
  t.is(formatValue(287.04, 'MB'), '287 MB');
});

test('the printed report lists each audit suggestion with what was decided and why', async (t) => {
  const report = await fixtureReport();
  t.notRegex(formatReport(report), /Lynis suggestion \(chroot box\) \| Decision/, 'no audit, no table');
  const text = formatReport({ ...report, hardening: { suggestions: [
    { id: 'DEB-0880', text: 'Install fail2ban', details: '', verdict: 'not adopted', why: 'SSH takes keys only' },
    { id: 'SSH-7408', text: 'Consider hardening SSH configuration', details: 'MaxSessions (set 10 to 2)', verdict: 'not adopted', why: 'Vagrant opens several sessions' },
  ] } });
  t.regex(text, /^\| Lynis suggestion \(chroot box\) \| Decision \| What, or why not \|$/m);
  t.regex(text, /^\| DEB-0880 Install fail2ban \| not adopted \| SSH takes keys only \|$/m);
  t.regex(text, /^\| SSH-7408 Consider hardening SSH configuration \(MaxSessions \(set 10 to 2\)\) \| not adopted \| Vagrant opens several sessions \|$/m);
});
