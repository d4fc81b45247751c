/**
 * `npm run audit -- [box or out-dir] [--json FILE] [--tests ID,ID] [--groups G,G] [--min-index N]`
 *
 * An independent audit of a built box (as root): boots it in a private network namespace, waits
 * for its stack, copies the host's Debian `lynis` into it, runs `lynis audit system --quick`, and
 * prints the hardening index, the warnings and the suggestions. Writes them as JSON (default
 * `<box folder>/lynis-audit.json`), with Lynis's own report and log
 * beside it (`.report.dat`, `.log`). Each suggestion is printed with what was decided about it and
 * why (lib/verify/hardening-decisions.ts). Exit 0 when a full run scores at least --min-index
 * (default 80) with no warning and every suggestion has a decision that is not "adopted" (a run
 * limited by --tests/--groups: the same, but for the index), 1 otherwise, 2 on bad usage. Under
 * TCG a full run takes about 35 minutes.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { auditBox, type AuditResult } from '../lib/verify/audit-box.js';
import { BoxwrightError } from '../lib/errors.js';
import { decide, decisionProblems } from '../lib/verify/hardening-decisions.js';

const USAGE = 'usage: npm run audit -- [box or out-dir] [--json FILE] [--tests ID,ID] [--groups G,G] [--min-index N]';

/** Parsed command line of the audit. */
export interface AuditArgs {
  box: string;
  json?: string;
  tests: string[];
  groups: string[];
  minIndex: number;
}

/** Parses the audit's arguments; throws BoxwrightError E_USAGE on anything unknown. */
export function parseAuditArgs(argv: readonly string[]): AuditArgs {
  const args: AuditArgs = { box: 'out', tests: [], groups: [], minIndex: 80 };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new BoxwrightError('E_USAGE', `${arg} needs a value; ${USAGE}`);
      i += 1;
      return next;
    };
    const list = (): string[] => value().split(',').map((s) => s.trim()).filter(Boolean);
    if (arg === '--json') args.json = value();
    else if (arg === '--tests') args.tests = list();
    else if (arg === '--groups') args.groups = list();
    else if (arg === '--min-index') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0 || n > 100) throw new BoxwrightError('E_USAGE', `--min-index must be a whole number from 0 to 100; ${USAGE}`);
      args.minIndex = n;
    } else if (arg === '--help' || arg === '-h') throw new BoxwrightError('E_USAGE', USAGE);
    else if (arg.startsWith('--')) throw new BoxwrightError('E_USAGE', `unknown option ${arg}; ${USAGE}`);
    else positionals.push(arg);
  }
  if (positionals.length > 1) throw new BoxwrightError('E_USAGE', `one box or out folder, got ${positionals.length}; ${USAGE}`);
  if (positionals[0] !== undefined) args.box = positionals[0];
  return args;
}

/** The verdict of an audit: what failed (empty when it passed). */
export function auditVerdict(result: Pick<AuditResult, 'report' | 'tests' | 'groups'>, minIndex: number): string[] {
  const failed: string[] = [];
  const full = result.tests.length === 0 && result.groups.length === 0;
  if (result.report.warnings.length > 0) failed.push(`${result.report.warnings.length} Lynis warning(s)`);
  if (full && (result.report.hardeningIndex ?? -1) < minIndex) failed.push(`hardening index ${result.report.hardeningIndex ?? 'missing'} < ${minIndex}`);
  // Every suggestion has a recorded decision, and none is for an item recorded as adopted.
  failed.push(...decisionProblems(result.report.suggestions));
  return failed;
}

/** The audit as text: index, warnings, suggestions (one line each). */
export function formatAudit(result: AuditResult): string {
  const r = result.report;
  const scope = result.tests.length + result.groups.length === 0 ? 'full audit' : `limited to ${[...result.tests, ...result.groups].join(' ')}`;
  const line = (f: { id: string; text: string; details: string }): string => `  ${f.id}  ${f.text}${f.details ? ` (${f.details})` : ''}`;
  const decided = (f: ReturnType<typeof decide>[number]): string => `${line(f)}\n      → ${f.verdict}: ${f.why}`;
  return [
    `Lynis ${r.lynisVersion} on ${path.basename(result.box)} (${result.kind}, ${result.os}; ${scope}, ${r.testsDone ?? '?'} tests, ${(result.lynisMs / 60000).toFixed(1)} min)`,
    `hardening index: ${r.hardeningIndex ?? 'none'}`,
    `warnings (${r.warnings.length}):`,
    ...r.warnings.map(line),
    `suggestions (${r.suggestions.length}):`,
    ...decide(r.suggestions).map(decided),
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const args = parseAuditArgs(process.argv.slice(2));
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  const folder = args.box.endsWith('.box') ? path.dirname(path.resolve(args.box)) : path.resolve(args.box);
  const jsonPath = args.json ?? path.join(folder, 'lynis-audit.json');
  const stem = jsonPath.replace(/\.json$/, '');
  const result = await auditBox({
    box: args.box, tests: args.tests, groups: args.groups, onLog: log,
    onRaw: async (raw) => {
      await writeFile(`${stem}.report.dat`, raw.reportText);
      await writeFile(`${stem}.log`, raw.logText);
    },
  });
  await writeFile(jsonPath, `${JSON.stringify({ ...result, decisions: decide(result.report.suggestions) }, null, 2)}\n`);
  process.stdout.write(formatAudit(result));
  const failed = auditVerdict(result, args.minIndex);
  process.stderr.write(`wrote ${jsonPath}\n${failed.length === 0 ? 'audit passed' : `audit failed: ${failed.join('; ')}`}\n`);
  return failed.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    // The VM harness's exit hook stops qemu and removes the namespace.
    process.on(name, () => process.exit(name === 'SIGINT' ? 130 : 143));
  }
  main().then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      const usage = error instanceof BoxwrightError && error.code === 'E_USAGE';
      process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = usage ? 2 : 1;
    },
  );
}
