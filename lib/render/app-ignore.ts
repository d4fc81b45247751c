/**
 * What of the app folder stays out of the app bundle: secrets and VCS data by default, plus the
 * patterns of the app's own `.boxwrightignore` (gitignore-like: `#` comments, `!` re-includes,
 * a trailing `/` matches folders only, a pattern with a `/` is anchored at the app folder,
 * `*` and `?` stay inside one path segment, `**` spans segments).
 */

/** Patterns always left out of the bundle (before the app's `.boxwrightignore`, which may add or re-include). */
export const DEFAULT_APP_IGNORE: readonly string[] = [
  '.env*', '.npmrc', '.git', '*.pem', '*.key', 'id_*',
  // Boxwright's own files and what `npm ci` remakes in a private copy.
  '.boxwrightignore', 'node_modules',
];

/** File in the app folder whose patterns extend {@link DEFAULT_APP_IGNORE}. */
export const APP_IGNORE_FILE = '.boxwrightignore';

interface Rule {
  negate: boolean;
  dirOnly: boolean;
  regex: RegExp;
}

/** Decides, for a POSIX path relative to the app folder, whether it stays out of the bundle. */
export type IgnoreMatcher = (relativePath: string, isDirectory: boolean) => boolean;

function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` = zero or more folders; a trailing `**` = everything below.
        if (glob[i + 2] === '/') { out += '(?:.*/)?'; i += 2; } else { out += '.*'; i += 1; }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += /[\\^$.|+(){}[\]]/.test(c) ? `\\${c}` : c;
    }
  }
  return new RegExp(`^${out}$`);
}

function parseRule(line: string): Rule | undefined {
  let text = line.replace(/\s+$/, '');
  if (text === '' || text.startsWith('#')) return undefined;
  const negate = text.startsWith('!');
  if (negate) text = text.slice(1);
  const dirOnly = text.endsWith('/');
  if (dirOnly) text = text.slice(0, -1);
  const anchored = text.includes('/');
  if (text.startsWith('/')) text = text.slice(1);
  if (text === '') return undefined;
  // Unanchored: the last path segment matches (at any depth).
  const regex = anchored ? globToRegex(text) : globToRegex(`**/${text}`);
  return { negate, dirOnly, regex };
}

/**
 * The matcher for the default patterns followed by `extra` (the lines of `.boxwrightignore`).
 * The last rule that matches decides; a folder that is left out is never entered.
 */
export function ignoreMatcher(extra: readonly string[] = []): IgnoreMatcher {
  const rules = [...DEFAULT_APP_IGNORE, ...extra].map(parseRule).filter((rule): rule is Rule => rule !== undefined);
  return (relativePath, isDirectory) => {
    let ignored = false;
    for (const rule of rules) {
      if (rule.dirOnly && !isDirectory) continue;
      if (rule.regex.test(relativePath)) ignored = !rule.negate;
    }
    return ignored;
  };
}
