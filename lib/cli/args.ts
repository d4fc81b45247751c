import { BoxwrightError } from '../errors.js';

/** Parsed command line: positionals and `--flag value` / `--switch` options. */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | true>;
}

/**
 * Parses argv against the flags a command knows. `--flag value` and `--flag=value` both work;
 * switches take no value. An unknown flag or a missing value is an `E_USAGE` error naming it.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], switches: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (switches.includes(name)) {
      if (inline !== undefined) throw new BoxwrightError('E_USAGE', `--${name} takes no value`);
      flags[name] = true;
    } else if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new BoxwrightError('E_USAGE', `--${name} needs a value`);
      flags[name] = value;
    } else {
      throw new BoxwrightError('E_USAGE', `unknown option --${name}; see --help`);
    }
  }
  return { positionals, flags };
}

/** Value of a flag restricted to a list, or undefined; otherwise an `E_USAGE` naming the choices. */
export function choice<T extends string>(flags: ParsedArgs['flags'], name: string, allowed: readonly T[]): T | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new BoxwrightError('E_USAGE', `--${name} must be one of ${allowed.join(', ')} (got ${String(value)})`, { path: name });
  }
  return value as T;
}

/** A string flag, or undefined. */
export function stringFlag(flags: ParsedArgs['flags'], name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}
