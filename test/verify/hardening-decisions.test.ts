import test from 'ava';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseLynisReport } from '../../lib/verify/lynis.js';
import { decide, decisionFor, decisionProblems, HARDENING_DECISIONS, uncheckedDecisions, withDecisionTable } from '../../lib/verify/hardening-decisions.js';

const readme = (): Promise<string> => readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const suggestion = (id: string, text: string, details = ''): { id: string; text: string; details: string; solution: string } => ({ id, text, details, solution: '' });

test('the README decision table is the one generated from the list (run `npm run schema` when this fails)', async (t) => {
  const text = await readme();
  t.is(text, withDecisionTable(text));
  t.regex(text, /\| DEB-0880 fail2ban \| not adopted \| SSH takes keys only/);
});

test('every adopted or partly adopted item names the in-image checks that keep it, and no other item names any', (t) => {
  for (const d of HARDENING_DECISIONS) {
    const kept = d.verdict === 'adopted' || d.verdict === 'partly';
    t.is((d.checks?.length ?? 0) > 0, kept, `${d.ids.join(', ')} ${d.topic} (${d.verdict})`);
    t.true(d.why.length > 10, `${d.ids.join(', ')}: says why`);
  }
});

test('each of the issue\'s Lynis suggestions has a decision', (t) => {
  const fromIssue = ['DEB-0280', 'DEB-0810', 'DEB-0811', 'DEB-0831', 'DEB-0880', 'PKGS-7370', 'PKGS-7394', 'BOOT-5264', 'KRNL-5820', 'KRNL-6000',
    'AUTH-9230', 'AUTH-9262', 'AUTH-9284', 'AUTH-9286', 'AUTH-9328', 'FILE-6310', 'FILE-7524', 'HOME-9304', 'USB-1000', 'STRG-1846', 'NETW-3200',
    'HTTP-6710', 'SSH-7408', 'BANN-7126', 'BANN-7130', 'LOGG-2154', 'LOGG-2190', 'ACCT-9622', 'ACCT-9626', 'ACCT-9628', 'FINT-4350', 'HRDN-7230', 'TOOL-5002'];
  const undecided = fromIssue.filter((id) => !HARDENING_DECISIONS.some((d) => d.ids.includes(id)));
  t.deepEqual(undecided, []);
});

test('one Lynis test\'s suggestions get the decision of their own option or path', (t) => {
  const ssh = (details: string): string | undefined => decisionFor(suggestion('SSH-7408', 'Consider hardening SSH configuration', details))?.verdict;
  t.is(ssh('MaxAuthTries (set 6 to 3)'), 'adopted');
  t.is(ssh('AllowTcpForwarding (set LOCAL to NO)'), 'partly');
  t.is(ssh('MaxSessions (set 10 to 2)'), 'not adopted');
  t.is(ssh('Port (set 22 to )'), 'not adopted');
  t.is(ssh('AllowTcpForwarding (set YES to NO)'), undefined, 'a box back at full TCP forwarding is not what was decided');
  t.is(ssh('MaxSessions (set 20 to 2)'), undefined);
  t.is(ssh('SomethingNew (set A to B)'), undefined, 'an sshd option nobody decided about has no decision');
  t.is(decisionFor(suggestion('LYNIS', 'Check your hostname configuration', 'hostname -s')), undefined, 'a hostname problem is the box\'s');
  t.is(decisionFor(suggestion('LYNIS', 'This release is more than 4 months old. Check the website or GitHub to see if there is an update available.'))?.verdict, 'not the box');
  t.is(decisionFor(suggestion('HTTP-6710', 'Change the HTTPS and SSL settings for enhanced protection of sensitive data and privacy')), undefined, 'weak TLS settings would be a new decision');
  t.is(decisionFor(suggestion('FILE-6310', 'Symlinked mount point needs to be checked manually', '/var/run')), undefined);
  const partition = (where: string): string | undefined => decisionFor(suggestion('FILE-6310', `To decrease the impact of a full ${where} file system, place ${where} on a separate partition`))?.verdict;
  t.is(partition('/tmp'), 'adopted');
  t.is(partition('/home'), 'not adopted');
  t.is(partition('/var'), 'not adopted');
});

test('a report before the hardening lists its adopted items as problems, and left-out ones as none', async (t) => {
  // The fixture was cut from a Lynis run on a Boxwright root before the hardening.
  const report = parseLynisReport(await readFile(fileURLToPath(new URL('../fixtures/lynis/report.dat', import.meta.url)), 'utf8'));
  const problems = decisionProblems(report.suggestions);
  t.deepEqual(problems.map((p) => p.split(' ')[0]), ['DEB-0280', 'FILE-6310', 'FILE-7524']);
  t.regex(problems[1]!, /full \/tmp file system.*recorded as adopted, yet Lynis still suggests it$/);
  const decided = decide(report.suggestions);
  t.deepEqual(decided.map((d) => d.verdict), ['adopted', 'not adopted', 'adopted', 'not adopted', 'adopted', 'partly', 'not adopted']);
  t.deepEqual(decide([suggestion('ZZZ-1', 'new')])[0]?.verdict, 'undecided');
});

test('every adopted item\'s checks are among the checks that passed in a booted box, and a missing one is named', async (t) => {
  // The names of the in-image checks that passed in CI's stack e2e on a chroot-built Debian 13 box (all 162).
  const passed = (await readFile(fileURLToPath(new URL('../fixtures/checks/passed-debian-13-chroot.txt', import.meta.url)), 'utf8')).trim().split('\n');
  t.is(passed.length, 162);
  t.deepEqual(uncheckedDecisions(passed), []);
  const withoutBanner = passed.filter((name) => !name.includes('legal banner'));
  t.deepEqual(uncheckedDecisions(withoutBanner).map((line) => line.split(':')[0]), ['BANN-7126, BANN-7130 legal banner', 'BANN-7126, BANN-7130 legal banner']);
});
