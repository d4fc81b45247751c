/**
 * The benchmark report (`bench/report.json`): its types, the targets it is judged against, and the
 * markdown table printed on stdout (and shown in the README). Pure: no I/O here.
 */

import { markdownCell } from '../lib/util/markdown.js';
import type { DecidedFinding } from '../lib/verify/hardening-decisions.js';

/** One measured figure. `value` is null when the section that measures it failed. */
export interface Figure {
  /** What was measured, for the table. */
  label: string;
  value: number | null;
  /** `ms`, `bytes`, `MB`, `count`, ... */
  unit: string;
  /** How it was measured (sample size, what is included). */
  note?: string;
}

/** A ratio between two figures (a plain number, no unit). */
export interface Ratio {
  label: string;
  value: number | null;
  /** `a / b` in figure ids. */
  of: string;
}

/** A target and whether the run met it (`met` is null when it could not be measured). */
export interface TargetResult {
  /** The goal, e.g. `≤ 50 ms`. */
  target: string;
  /** The measured value with its unit, or `not measured`. */
  actual: string;
  met: boolean | null;
}

/** What the run knows of the machine. */
export interface MachineFacts {
  cpuModel: string;
  cores: number;
  ramBytes: number;
  /** QEMU accelerator the builds used. */
  accelerator: string;
  packerVersion: string;
  qemuVersion: string;
  nodeVersion: string;
  /** ISO time the run started. */
  date: string;
  /** The Boxwright commit measured (`-dirty` when tracked files differed from it). */
  commit?: string;
  /** 1/5/15-minute load averages at the start and at the end of the run (other work on the host skews the figures). */
  loadAverage: { start: number[]; end: number[] };
}

/** `bench/report.json`. */
export interface BenchReport {
  machine: MachineFacts;
  figures: Record<string, Figure>;
  ratios: Record<string, Ratio>;
  targets: Record<string, TargetResult>;
  /** Sections that failed, with their error (the rest of the run went on). */
  errors: Record<string, string>;
  /** Wall time of each section (ms) and the 1-minute load average when it started. */
  sections: Record<string, { ms: number; load1: number }>;
  /**
   * The independent audit's suggestions, each with what was decided about it and why
   * (lib/verify/hardening-decisions.ts); absent when the audit section did not run.
   */
  hardening?: { suggestions: Array<Pick<DecidedFinding, 'id' | 'text' | 'details' | 'verdict' | 'why'>> };
}

/** A target on a figure or a ratio: `max` (value ≤ limit) or `min` (value ≥ limit). */
export interface TargetSpec {
  /** Figure id (in `figures`) or ratio id (in `ratios`). */
  on: string;
  kind: 'max' | 'min';
  limit: number;
  /** Unit of `limit` as shown (`ms`, `MB`, `×`). */
  unit: string;
}

/** The targets of the benchmark (see bench/README or the brief): id → spec. */
export const TARGETS: Readonly<Record<string, TargetSpec>> = {
  'compose+render': { on: 'composeRenderMs', kind: 'max', limit: 50, unit: 'ms' },
  'cache hit (library), chroot': { on: 'chroot.cacheHitMs', kind: 'max', limit: 2000, unit: 'ms' },
  'cache hit (library), vm': { on: 'vm.cacheHitMs', kind: 'max', limit: 2000, unit: 'ms' },
  'cache hit (CLI), chroot': { on: 'chroot.cacheHitCliMs', kind: 'max', limit: 2000, unit: 'ms' },
  'cache hit (CLI), vm': { on: 'vm.cacheHitCliMs', kind: 'max', limit: 2000, unit: 'ms' },
  'box size, chroot': { on: 'chroot.boxMB', kind: 'max', limit: 300, unit: 'MB' },
  'box size, vm': { on: 'vm.boxMB', kind: 'max', limit: 300, unit: 'MB' },
  'stack vm build / bare build': { on: 'vmOverBare', kind: 'max', limit: 1.1, unit: '×' },
  'chroot faster than vm': { on: 'chrootSpeedup', kind: 'min', limit: 2.5, unit: '×' },
  'prebuilt (vm) boots to 200 faster than provision-at-boot': { on: 'prebuiltSpeedupVm', kind: 'min', limit: 3, unit: '×' },
  'prebuilt (chroot) boots to 200 faster than provision-at-boot': { on: 'prebuiltSpeedupChroot', kind: 'min', limit: 3, unit: '×' },
  'vagrant up → first 200 (chroot box)': { on: 'lab.first200Ms', kind: 'max', limit: 45_000, unit: 'ms' },
  'vagrant up → first 200, warm (chroot box)': { on: 'lab.warmFirst200Ms', kind: 'max', limit: 45_000, unit: 'ms' },
  'vagrant up: prebuilt faster than provision-at-up': { on: 'labSpeedup', kind: 'min', limit: 3, unit: '×' },
  // The independent audit (issue 17): Lynis inside the booted chroot box (bench/run.ts, section "audit").
  'Lynis hardening index (chroot box)': { on: 'audit.hardeningIndex', kind: 'min', limit: 80, unit: 'points' },
  'Lynis warnings (chroot box)': { on: 'audit.warnings', kind: 'max', limit: 0, unit: 'count' },
  'Lynis suggestions without a decision, or adopted yet still made (chroot box)': { on: 'audit.decisionProblems', kind: 'max', limit: 0, unit: 'count' },
};

/** Median of numbers (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds to `digits` decimals (reports keep numbers short and stable). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `a / b` of two figures, or null when either is missing or b is 0. */
export function ratioOf(figures: Record<string, Figure>, a: string, b: string, label: string): Ratio {
  const x = figures[a]?.value;
  const y = figures[b]?.value;
  const value = x == null || y == null || y === 0 ? null : round(x / y, 2);
  return { label, value, of: `${a} / ${b}` };
}

/** A figure's value as text: ms become s from 10 s on, bytes become MB. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null || Number.isNaN(value)) return 'not measured';
  if (unit === 'ms') return value >= 10_000 ? `${round(value / 1000, 1)} s` : `${round(value, 1)} ms`;
  if (unit === 'bytes') return `${value} bytes`;
  if (unit === '×') return `${round(value, 2)}×`;
  return `${round(value, 1)} ${unit}`;
}

/** Judges every target in {@link TARGETS} against the report's figures and ratios. */
export function evaluateTargets(figures: Record<string, Figure>, ratios: Record<string, Ratio>, targets: Readonly<Record<string, TargetSpec>> = TARGETS): Record<string, TargetResult> {
  const result: Record<string, TargetResult> = {};
  for (const [name, spec] of Object.entries(targets)) {
    const value = figures[spec.on]?.value ?? ratios[spec.on]?.value ?? null;
    const target = `${spec.kind === 'max' ? '≤' : '≥'} ${spec.limit} ${spec.unit}`.replace(/ ×$/, '×');
    const actual = formatValue(value, spec.unit);
    const met = value === null || Number.isNaN(value) ? null : spec.kind === 'max' ? value <= spec.limit : value >= spec.limit;
    result[name] = { target, actual, met };
  }
  return result;
}


function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(markdownCell).join(' | ')} |`);
  return lines.join('\n');
}

/**
 * The report as markdown: a machine line, the figures (label, value, note), the ratios, the
 * targets (goal, actual, met), the audit's suggestions with their decisions, and the failed
 * sections. Same report, same text.
 */
export function formatReport(report: BenchReport): string {
  const m = report.machine;
  const gib = round(m.ramBytes / 1024 ** 3, 1);
  const load = (values: number[]): string => values.map((v) => round(v, 2)).join(' / ');
  const parts: string[] = [
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${gib} GiB RAM, accelerator ${m.accelerator}; packer ${m.packerVersion}, ${m.qemuVersion}, node ${m.nodeVersion}; ${m.date}${m.commit ? `; commit ${m.commit}` : ''}.`,
    `Load average (1/5/15 min): ${load(m.loadAverage.start)} at the start, ${load(m.loadAverage.end)} at the end.`,
    '',
    table(['Figure', 'Value', 'How'], Object.values(report.figures).map((f) => [f.label, formatValue(f.value, f.unit), f.note ?? ''])),
    '',
    table(['Ratio', 'Value'], Object.values(report.ratios).map((r) => [r.label, r.value === null ? 'not measured' : `${round(r.value, 2)}×`])),
    '',
    table(['Target', 'Goal', 'Actual', 'Met'], Object.entries(report.targets).map(([name, t]) => [name, t.target, t.actual, t.met === null ? 'n/a' : t.met ? 'yes' : 'no'])),
  ];
  if (report.hardening) {
    parts.push('', table(['Lynis suggestion (chroot box)', 'Decision', 'What, or why not'],
      report.hardening.suggestions.map((f) => [`${f.id} ${f.text}${f.details ? ` (${f.details})` : ''}`, f.verdict, f.why])));
  }
  const errors = Object.entries(report.errors);
  if (errors.length > 0) {
    parts.push('', 'Failed sections:', ...errors.map(([section, error]) => `- ${section}: ${error.split('\n')[0]}`));
  }
  return `${parts.join('\n')}\n`;
}
