import test from 'ava';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseLynisPoints, parseLynisReport } from '../../lib/verify/lynis.js';
import { auditVerdict, formatAudit, parseAuditArgs } from '../../scripts/audit.js';
import type { AuditResult } from '../../lib/verify/audit-box.js';

// Lines cut from a real Lynis 3.0.8 run (`lynis audit system --quick`) on a Boxwright root.
const fixture = (name: string): Promise<string> => readFile(fileURLToPath(new URL(`../fixtures/lynis/${name}`, import.meta.url)), 'utf8');

test('a Lynis report gives the hardening index, the version and the number of tests', async (t) => {
  const report = parseLynisReport(await fixture('report.dat'));
  t.is(report.hardeningIndex, 58);
  t.is(report.lynisVersion, '3.0.8');
  t.is(report.testsDone, 247);
});

test('warnings and suggestions keep their order, ids, details and solutions, and a dash reads as empty', async (t) => {
  const report = parseLynisReport(await fixture('report.dat'));
  t.deepEqual(report.warnings.map((w) => w.id), ['KRNL-5830', 'LOGG-2138']);
  t.deepEqual(report.warnings[0], { id: 'KRNL-5830', text: 'Reboot of system is most likely needed', details: '', solution: 'text:reboot' });
  t.is(report.suggestions.length, 7);
  t.deepEqual(report.suggestions.filter((s) => s.id === 'FILE-6310').length, 3);
  const perms = report.suggestions.find((s) => s.id === 'FILE-7524');
  t.deepEqual(perms, { id: 'FILE-7524', text: 'Consider restricting file permissions', details: 'See screen output or log file', solution: 'text:Use chmod to change file permissions' });
  t.is(report.suggestions[0]!.text, 'Install libpam-tmpdir to set $TMP and $TMPDIR for PAM sessions');
  t.is(report.suggestions[0]!.details, '');
});

test('a report cut short has no hardening index, and unrelated lines are ignored', (t) => {
  const report = parseLynisReport('lynis_version=3.0.8\nmanual[]=Verify something\n# comment=1\nhardening_index=\n');
  t.is(report.hardeningIndex, null);
  t.deepEqual(report.warnings, []);
  t.deepEqual(report.suggestions, []);
  t.is(report.testsDone, null);
});

test('the log gives the hardening points each test earned out of its most', async (t) => {
  const points = parseLynisPoints(await fixture('lynis.log'));
  t.deepEqual(points.byTest, { 'KRNL-5820': { earned: 1, max: 4 }, 'BANN-7126': { earned: 0, max: 1 } });
});

test('the audit command takes a box, a JSON path, tests, groups and a minimum index', (t) => {
  t.deepEqual(parseAuditArgs([]), { box: 'out', tests: [], groups: [], minIndex: 80 });
  t.deepEqual(parseAuditArgs(['out/x', '--json', 'a.json', '--tests', 'SSH-7408, KRNL-6000', '--groups', 'ssh', '--min-index', '75']),
    { box: 'out/x', json: 'a.json', tests: ['SSH-7408', 'KRNL-6000'], groups: ['ssh'], minIndex: 75 });
  for (const bad of [['--json'], ['--min-index', '101'], ['--nope'], ['a', 'b'], ['--tests', '--json']]) {
    t.throws(() => parseAuditArgs(bad), { code: 'E_USAGE' } as never, bad.join(' '));
  }
});

const result = (index: number | null, warnings: number, tests: string[] = []): AuditResult => ({
  box: '/out/foobar-web-0.1.0.libvirt.box', sha256: 'ab', kind: 'chroot', os: 'debian-12', date: '2026-12-01T00:00:00.000Z', tests, groups: [],
  report: {
    hardeningIndex: index, lynisVersion: '3.0.8', testsDone: 250,
    warnings: Array.from({ length: warnings }, (_, i) => ({ id: `W-${i}`, text: 'warned', details: '', solution: '' })),
    suggestions: [{ id: 'SSH-7408', text: 'Consider hardening SSH configuration', details: 'Port (set 22 to )', solution: '' }],
  },
  bootMs: 1, firstHttpMs: 2, lynisMs: 120_000,
});

test('a full audit passes only at the minimum index with no warning; a limited one only judges warnings', (t) => {
  t.deepEqual(auditVerdict(result(80, 0), 80), []);
  t.deepEqual(auditVerdict(result(79, 0), 80), ['hardening index 79 < 80']);
  t.deepEqual(auditVerdict(result(90, 1), 80), ['1 Lynis warning(s)']);
  t.deepEqual(auditVerdict(result(null, 0), 80), ['hardening index missing < 80']);
  t.deepEqual(auditVerdict(result(40, 0, ['SSH-7408']), 80), []);
  t.deepEqual(auditVerdict(result(40, 2, ['SSH-7408']), 80), ['2 Lynis warning(s)']);
});

test('the printed audit names the box, the index, each warning and each suggestion with its details', (t) => {
  const text = formatAudit(result(81, 1));
  const lines = text.split('\n');
  t.is(lines[0], 'Lynis 3.0.8 on foobar-web-0.1.0.libvirt.box (chroot, debian-12; full audit, 250 tests, 2.0 min)');
  t.true(lines.includes('hardening index: 81'));
  t.true(lines.includes('warnings (1):'));
  t.true(lines.includes('  W-0  warned'));
  t.true(lines.includes('  SSH-7408  Consider hardening SSH configuration (Port (set 22 to ))'));
  t.true(lines.includes('      → not adopted: Vagrant opens several sessions at once (MaxSessions is 10) and connects to port 22'), text);
});

test('a full audit fails on a suggestion nobody decided about, and on one for an item recorded as adopted', (t) => {
  const withSuggestion = (id: string, text: string, details = ''): AuditResult => {
    const r = result(85, 0);
    return { ...r, report: { ...r.report, suggestions: [...r.report.suggestions, { id, text, details, solution: '' }] } };
  };
  t.deepEqual(auditVerdict(withSuggestion('NEW-0001', 'Something Lynis learnt'), 80), ['NEW-0001 Something Lynis learnt: no decision recorded']);
  t.deepEqual(auditVerdict(withSuggestion('SSH-7408', 'Consider hardening SSH configuration', 'MaxAuthTries (set 6 to 3)'), 80),
    ['SSH-7408 Consider hardening SSH configuration (MaxAuthTries (set 6 to 3)): recorded as adopted, yet Lynis still suggests it']);
  t.deepEqual(auditVerdict(withSuggestion('DEB-0880', 'Install fail2ban'), 80), [], 'a suggestion left out on purpose is no failure');
});
