import { BoxwrightError } from '../errors.js';
import type { InstalledPackage } from './package-list.js';

/** One changed package (or app dependency). */
export interface ChangedEntry {
  name: string;
  from: string;
  to: string;
}

/** Differences between two build manifests. */
export interface ManifestDiff {
  identical: boolean;
  packages: { added: InstalledPackage[]; removed: InstalledPackage[]; changed: ChangedEntry[] };
  app: { added: ChangedEntry[]; removed: ChangedEntry[]; changed: ChangedEntry[] };
}

interface ManifestLike {
  packages: InstalledPackage[];
  app?: { dependencies?: Record<string, string> };
}

function asManifest(value: unknown, which: string): ManifestLike {
  const packages = (value as ManifestLike | null | undefined)?.packages;
  const wellFormed = Array.isArray(packages) && packages.every((p: unknown) => typeof p === 'object' && p !== null
    && ['name', 'version', 'architecture'].every((field) => typeof (p as Record<string, unknown>)[field] === 'string'));
  if (!wellFormed) {
    throw new BoxwrightError('E_USAGE', `manifest ${which} has no "packages" list of { name, version, architecture } entries; give the build-manifest.json of a build`);
  }
  return value as ManifestLike;
}

/** Key of a package: name plus architecture (multi-arch packages appear once per architecture). */
const keyOf = (p: InstalledPackage): string => `${p.name}:${p.architecture}`;

/**
 * Compares the installed packages (name, architecture → version) and the app's dependencies of two
 * build manifests. Pure.
 */
export function diffManifests(a: unknown, b: unknown): ManifestDiff {
  const left = asManifest(a, 'a');
  const right = asManifest(b, 'b');
  const before = new Map(left.packages.map((p) => [keyOf(p), p]));
  const after = new Map(right.packages.map((p) => [keyOf(p), p]));
  const added = [...after.values()].filter((p) => !before.has(keyOf(p)));
  const removed = [...before.values()].filter((p) => !after.has(keyOf(p)));
  const changed = [...after.values()].flatMap((p) => {
    const old = before.get(keyOf(p));
    return old && old.version !== p.version ? [{ name: keyOf(p), from: old.version, to: p.version }] : [];
  });
  const depsA = left.app?.dependencies ?? {};
  const depsB = right.app?.dependencies ?? {};
  const app = {
    added: Object.keys(depsB).filter((n) => !(n in depsA)).map((n) => ({ name: n, from: '', to: depsB[n] ?? '' })),
    removed: Object.keys(depsA).filter((n) => !(n in depsB)).map((n) => ({ name: n, from: depsA[n] ?? '', to: '' })),
    changed: Object.keys(depsB).filter((n) => n in depsA && depsA[n] !== depsB[n]).map((n) => ({ name: n, from: depsA[n] ?? '', to: depsB[n] ?? '' })),
  };
  const identical = added.length + removed.length + changed.length + app.added.length + app.removed.length + app.changed.length === 0;
  return { identical, packages: { added, removed, changed }, app };
}

/** Human-readable diff: `+ name version`, `- name version`, `~ name from -> to`. */
export function formatDiff(diff: ManifestDiff): string {
  if (diff.identical) return 'no differences\n';
  const lines: string[] = [];
  for (const p of diff.packages.added) lines.push(`+ ${p.name}:${p.architecture} ${p.version}`);
  for (const p of diff.packages.removed) lines.push(`- ${p.name}:${p.architecture} ${p.version}`);
  for (const c of diff.packages.changed) lines.push(`~ ${c.name} ${c.from} -> ${c.to}`);
  for (const c of diff.app.added) lines.push(`+ app ${c.name} ${c.to}`);
  for (const c of diff.app.removed) lines.push(`- app ${c.name} ${c.from}`);
  for (const c of diff.app.changed) lines.push(`~ app ${c.name} ${c.from} -> ${c.to}`);
  const p = diff.packages;
  lines.push(`${p.added.length} added, ${p.removed.length} removed, ${p.changed.length} changed packages`);
  return `${lines.join('\n')}\n`;
}
