import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BoxwrightError } from '../errors.js';
import { BUILD_LAYOUT } from './layout.js';

/** When a provisioner runs: `stack` scripts set the image up; `cleanup` runs last, after the package list is final. */
export type ScriptPhase = 'stack' | 'cleanup';
/** The build kinds a script runs in. */
export type ScriptKind = 'vm' | 'chroot';

const PHASES: readonly ScriptPhase[] = ['stack', 'cleanup'];
const KINDS: readonly ScriptKind[] = ['vm', 'chroot'];

/** What a provisioner script declares about itself in its header line. */
export interface ScriptHeader {
  phase: ScriptPhase;
  kinds: readonly ScriptKind[];
}

/** A provisioner script as the plan hands it to render and template. */
export interface PlannedScript extends ScriptHeader {
  /** File name in provisioners/, e.g. `90-cleanup.sh`. */
  name: string;
  /** Path relative to the build folder, e.g. `scripts/90-cleanup.sh`. */
  path: string;
}

/** Folder of the templates shipped with Boxwright (resolved from this module: works in lib/ and dist/). */
export function provisionersDir(): string {
  return fileURLToPath(new URL('../../provisioners/', import.meta.url));
}

/**
 * Reads the header line every provisioner declares once, in its leading comment block:
 * `# boxwright: phase=stack|cleanup kinds=vm,chroot`.
 *
 * @throws BoxwrightError `E_RENDER` when the line is missing, repeated or names an unknown phase or kind.
 */
export function parseScriptHeader(name: string, text: string): ScriptHeader {
  const fail = (why: string): never => {
    throw new BoxwrightError('E_RENDER', `provisioners/${name}: ${why}; declare it in the leading comments as \`# boxwright: phase=stack kinds=vm,chroot\` (phase stack|cleanup, kinds vm and/or chroot)`);
  };
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const match = /^#\s*boxwright:(.*)$/.exec(line);
    if (match) lines.push(match[1]!.trim());
  }
  if (lines.length !== 1) return fail(lines.length === 0 ? 'no boxwright header line' : 'more than one boxwright header line');
  const fields = new Map<string, string>();
  for (const pair of lines[0]!.split(/\s+/)) {
    const [key, value] = pair.split('=', 2);
    if (!key || value === undefined || fields.has(key)) return fail(`cannot read "${pair}" in its header`);
    fields.set(key, value);
  }
  const phase = fields.get('phase') as ScriptPhase | undefined;
  const kinds = (fields.get('kinds') ?? '').split(',').filter(Boolean) as ScriptKind[];
  if (phase === undefined || !PHASES.includes(phase)) return fail(`unknown phase ${JSON.stringify(fields.get('phase') ?? '')}`);
  if (kinds.length === 0 || kinds.some((kind) => !KINDS.includes(kind))) return fail(`unknown kinds ${JSON.stringify(fields.get('kinds') ?? '')}`);
  if ([...fields.keys()].some((key) => key !== 'phase' && key !== 'kinds')) return fail('unknown field in its header');
  return { phase, kinds };
}

/**
 * Every provisioner script (`provisioners/*.sh`) in run order (file name order) with its header,
 * read once per plan.
 */
export async function readScripts(dir = provisionersDir()): Promise<PlannedScript[]> {
  const names = (await readdir(dir)).filter((file) => file.endsWith('.sh')).sort();
  const texts = await Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8')));
  return names.map((name, i) => ({ name, path: `${BUILD_LAYOUT.scripts}/${name}`, ...parseScriptHeader(name, texts[i]!) }));
}
