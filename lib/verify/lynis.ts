/**
 * An independent audit of a running box: the host's Debian `lynis` copied into the guest and run
 * there (`lynis audit system --quick`), and its report (`/var/log/lynis-report.dat`) read back.
 * Nothing is installed with dpkg in the guest; the VM is a throw-away overlay anyway.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { BoxwrightError } from '../errors.js';
import type { VmHandle } from './boot.js';

/** One `warning[]=` or `suggestion[]=` line of a Lynis report. */
export interface LynisFinding {
  /** Lynis test id, e.g. `SSH-7408`. */
  id: string;
  /** What Lynis says. */
  text: string;
  /** Lynis's details field (e.g. `MaxAuthTries (set 6 to 3)`), empty when it gave none. */
  details: string;
  /** Lynis's solution field, empty when it gave none. */
  solution: string;
}

/** What a Lynis report says. */
export interface LynisReport {
  /** `hardening_index=`; null when the report has none (e.g. a run cut short). */
  hardeningIndex: number | null;
  warnings: LynisFinding[];
  suggestions: LynisFinding[];
  /** `lynis_version=`. */
  lynisVersion: string;
  /** Number of tests Lynis performed (`lynis_tests_done=`), or null. */
  testsDone: number | null;
}

/** Splits a report value `ID|text|details|solution|` into its fields (`-` means empty). */
function finding(value: string): LynisFinding {
  const [id = '', text = '', details = '', solution = ''] = value.split('|');
  const clean = (field: string): string => (field === '-' ? '' : field.trim());
  return { id: id.trim(), text: clean(text), details: clean(details), solution: clean(solution) };
}

/**
 * Parses the text of `/var/log/lynis-report.dat` (`key=value` lines, `key[]=value` for lists).
 * Unknown keys are ignored; the order of warnings and suggestions is kept.
 */
export function parseLynisReport(text: string): LynisReport {
  const report: LynisReport = { hardeningIndex: null, warnings: [], suggestions: [], lynisVersion: '', testsDone: null };
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0 || line.startsWith('#')) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === 'hardening_index' && /^\d+$/.test(value.trim())) report.hardeningIndex = Number(value.trim());
    else if (key === 'warning[]') report.warnings.push(finding(value));
    else if (key === 'suggestion[]') report.suggestions.push(finding(value));
    else if (key === 'lynis_version') report.lynisVersion = value.trim();
    else if (key === 'lynis_tests_done' && /^\d+$/.test(value.trim())) report.testsDone = Number(value.trim());
  }
  return report;
}

/** Per-test hardening points read from a `lynis.log` (`Hardening: assigned … (X of Y)` after `Performing test ID`). */
export interface LynisPoints {
  /** Test id → points earned and the most it could earn. */
  byTest: Record<string, { earned: number; max: number }>;
}

/** Sums the hardening points of each test in a `/var/log/lynis.log` (which tests cost the index most). */
export function parseLynisPoints(log: string): LynisPoints {
  const byTest: LynisPoints['byTest'] = {};
  let current = '';
  for (const line of log.split('\n')) {
    const test = /Performing test ID ([A-Z]+-\d+)/.exec(line);
    if (test) {
      current = test[1]!;
      continue;
    }
    const points = /Hardening: assigned .*\((\d+) of (\d+)\)/.exec(line);
    if (points && current) {
      const entry = (byTest[current] ??= { earned: 0, max: 0 });
      entry.earned += Number(points[1]);
      entry.max += Number(points[2]);
    }
  }
  return { byTest };
}

/** The host paths of Debian's lynis package that a run needs (program, include/db/plugins, profile). */
export const LYNIS_HOST_PATHS = ['usr/sbin/lynis', 'usr/share/lynis', 'etc/lynis'] as const;

/** Options of {@link runLynis}. */
export interface RunLynisOptions {
  /** Only these test ids (`--tests`); all when empty. */
  tests?: readonly string[];
  /** Only these test groups (`--tests-from-group`, e.g. `ssh`, `kernel`); all when empty. */
  groups?: readonly string[];
  /** How long the whole run may take. @default 5400000 (90 min: a full run under TCG takes ~35) */
  timeoutMs?: number;
  onLog?: (line: string) => void;
}

/** The outcome of one Lynis run in a guest. */
export interface LynisRun {
  report: LynisReport;
  /** The raw report file and log, for keeping beside the JSON. */
  reportText: string;
  logText: string;
  /** Lynis's screen output. */
  output: string;
  /** Wall time of the run in the guest. */
  ms: number;
}

/**
 * Copies the host's lynis into the running guest (same paths as the Debian package) and runs
 * `lynis audit system --quick` there as root; returns its parsed report.
 *
 * @throws BoxwrightError `E_HOST` when lynis is not installed on the host; `E_CHECK_FAILED` when
 * the run fails or leaves no report.
 */
export async function runLynis(vm: VmHandle, options: RunLynisOptions = {}): Promise<LynisRun> {
  const log = options.onLog ?? (() => {});
  for (const relative of LYNIS_HOST_PATHS) {
    if (!existsSync(`/${relative}`)) throw new BoxwrightError('E_HOST', `/${relative} is missing: install Debian's lynis on the host (apt-get install -y lynis)`);
  }
  const { stdout: packed } = await execa('bash', ['-c', 'tar -C / -czf - "$@" | base64 -w0', 'tar', ...LYNIS_HOST_PATHS]);
  const copy = await vm.ssh('base64 -d | sudo tar -xzf - -C / && sudo lynis --version', { input: packed, timeoutMs: 120_000 });
  if (copy.exitCode !== 0) throw new BoxwrightError('E_CHECK_FAILED', `could not copy lynis into the guest: ${copy.stderr.trim()}`);
  log(`lynis: ${copy.stdout.trim()} copied into the guest`);

  const args = ['audit', 'system', '--quick', '--no-colors'];
  if (options.tests && options.tests.length > 0) args.push('--tests', `'${options.tests.join(' ')}'`);
  if (options.groups && options.groups.length > 0) args.push('--tests-from-group', `'${options.groups.join(' ')}'`);
  for (const word of [...(options.tests ?? []), ...(options.groups ?? [])]) {
    if (!/^[A-Za-z0-9_-]+$/.test(word)) throw new BoxwrightError('E_USAGE', `"${word}" is not a Lynis test id or group name; use names like SSH-7408 or ssh`);
  }
  log(`lynis: sudo lynis ${args.join(' ')}`);
  const started = Date.now();
  const run = await vm.ssh(`sudo rm -f /var/log/lynis-report.dat /var/log/lynis.log && sudo lynis ${args.join(' ')}`, { timeoutMs: options.timeoutMs ?? 5_400_000 });
  const ms = Date.now() - started;
  log(`lynis: finished in ${(ms / 1000).toFixed(0)} s (exit ${run.exitCode})`);
  const reportText = await vm.ssh('sudo cat /var/log/lynis-report.dat', { timeoutMs: 60_000 });
  const logText = await vm.ssh('sudo cat /var/log/lynis.log', { timeoutMs: 60_000 });
  if (reportText.exitCode !== 0 || !reportText.stdout.includes('lynis_version=')) {
    throw new BoxwrightError('E_CHECK_FAILED', `lynis left no report (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(-5).join(' ')}`);
  }
  return { report: parseLynisReport(reportText.stdout), reportText: reportText.stdout, logText: logText.stdout, output: run.stdout, ms };
}
