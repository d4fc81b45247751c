import { parseArgs as parseNodeArgs } from 'node:util';
import { BoxwrightError } from '../errors.js';

/** Parsed command line: positionals and `--flag value` / `--switch` options. */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | true>;
}

/**
 * The short flags, the same for every command that has the long one:
 * `-o --out`, `-p --provider`, `-b --base`, `-k --kind`, `-a --accelerator`, `-f --force`,
 * `-u --update`, `-h --help`. (`-v` is the top-level `--version`.)
 */
export const SHORT_FLAGS: Readonly<Record<string, string>> = {
  out: 'o', provider: 'p', base: 'b', kind: 'k', accelerator: 'a', force: 'f', update: 'u', help: 'h',
};

type NodeOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function optionTable(valued: readonly string[], switches: readonly string[]): NodeOptions {
  const table: NodeOptions = { help: { type: 'boolean', short: 'h' } };
  for (const name of valued) table[name] = { type: 'string', ...(SHORT_FLAGS[name] ? { short: SHORT_FLAGS[name] } : {}) };
  for (const name of switches) table[name] = { type: 'boolean', ...(SHORT_FLAGS[name] ? { short: SHORT_FLAGS[name] } : {}) };
  return table;
}

/** The long name node's parseArgs error message is about (`'-o, --out <value>'` → `out`). */
function optionNamed(message: string): string {
  const quoted = /'(-[^' ,]+)(?:, (--[^' ]+))?/.exec(message);
  return (quoted?.[2] ?? quoted?.[1] ?? '').replace(/^-+/, '');
}

/**
 * Parses argv (after the command name) with `node:util` `parseArgs` against the flags a command
 * knows: `--flag value`, `--flag=value`, the short forms of {@link SHORT_FLAGS} (`-o DIR`, `-fo DIR`),
 * and `--` ending the options (everything after it is a positional). `--help`/`-h` is always
 * accepted (the caller shows the help before parsing). An unknown flag, a missing value or a value
 * given to a switch is an `E_USAGE` error naming the flag.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], switches: readonly string[]): ParsedArgs {
  const options = optionTable(valued, switches);
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseNodeArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const shown = /'([^']+)'/.exec(message)?.[1] ?? message;
      throw new BoxwrightError('E_USAGE', `unknown option ${shown}; see --help (a positional starting with "-" goes after --)`, { cause: error });
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = optionNamed(message);
      if (options[name]?.type === 'boolean') throw new BoxwrightError('E_USAGE', `--${name} takes no value`, { path: name, cause: error });
      throw new BoxwrightError('E_USAGE', `--${name} needs a value (a value starting with "-" is written --${name}=VALUE)`, { path: name, cause: error });
    }
    throw new BoxwrightError('E_USAGE', message, { cause: error });
  }
  const flags: Record<string, string | true> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (name === 'help' || value === undefined || value === false) continue;
    if (value === '') throw new BoxwrightError('E_USAGE', `--${name} needs a value`, { path: name });
    flags[name] = value;
  }
  return { positionals: parsed.positionals, flags };
}

/** True when argv asks for help (`--help` or `-h` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** True when argv has `--json` before any `--`: errors are then reported as a JSON event too. */
export function wantsJson(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--json') return true;
  }
  return false;
}

/** Value of a flag restricted to a list, or undefined; otherwise an `E_USAGE` naming the choices. */
export function choice<T extends string>(flags: ParsedArgs['flags'], name: string, allowed: readonly T[]): T | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new BoxwrightError('E_USAGE', `--${name} must be one of ${allowed.join(', ')} (got ${String(value).slice(0, 40)})`, { path: name });
  }
  return value as T;
}

/** A string flag, or undefined. */
export function stringFlag(flags: ParsedArgs['flags'], name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}
