import Mustache from 'mustache';
import { BoxwrightError } from '../errors.js';
import { CONFIG_SAFE, shellQuote } from './shell-quote.js';

/** Values a template may reference. */
export type RenderContext = Readonly<Record<string, string | number | boolean>>;

/** How `{{key}}` values are escaped: shell-quoted for scripts, checked-verbatim for config files. */
export type EscapeMode = 'shell' | 'config';

type Token = [string, string, number, number, Token[]?, ...unknown[]];

/** Collects every name a template refers to (variables and sections), with the token type. */
function referencedNames(tokens: Token[], into: Array<{ type: string; name: string }> = []): Array<{ type: string; name: string }> {
  for (const token of tokens) {
    const [type, name, , , children] = token;
    if (type === 'name' || type === '&' || type === '#' || type === '^' || type === '>') into.push({ type, name });
    if (children) referencedNames(children, into);
  }
  return into;
}

function escaperFor(mode: EscapeMode, file: string): (value: unknown) => string {
  if (mode === 'shell') return shellQuote;
  return (value: unknown) => {
    const text = String(value);
    if (!CONFIG_SAFE.test(text)) {
      throw new BoxwrightError('E_RENDER', `${file}: value ${JSON.stringify(text)} has characters that are unsafe in a config file; the spec validator should have refused it`);
    }
    return text;
  };
}

/**
 * Renders one mustache template. Unlike plain mustache, a key missing from `context` is an error
 * (never an empty string), sections must name booleans, and values are escaped by `mode`.
 * Triple mustaches `{{{key}}}` are allowed only for values made of `[A-Za-z0-9._-]`.
 */
export function renderTemplate(template: string, context: RenderContext, mode: EscapeMode, file: string): string {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(template) as unknown as Token[];
  } catch (cause) {
    throw new BoxwrightError('E_RENDER', `${file}: not a valid mustache template (${(cause as Error).message})`, { cause });
  }
  for (const { type, name } of referencedNames(tokens)) {
    if (type === '>') {
      throw new BoxwrightError('E_RENDER', `${file}: partials ({{> ${name}}}) are not supported; put shared shell code in files/lib/common.sh and source it`);
    }
    if (!Object.hasOwn(context, name)) {
      throw new BoxwrightError('E_RENDER', `${file}: template uses {{${name}}}, which is not a render key; use one of: ${Object.keys(context).sort().join(', ')}`);
    }
    const value = context[name];
    if ((type === '#' || type === '^') && typeof value !== 'boolean') {
      throw new BoxwrightError('E_RENDER', `${file}: section {{#${name}}} needs a boolean key; ${name} is a ${typeof value}`);
    }
    if (type === '&' && !/^[A-Za-z0-9._-]*$/.test(String(value))) {
      throw new BoxwrightError('E_RENDER', `${file}: {{{${name}}}} would insert ${JSON.stringify(value)} unquoted; use {{${name}}}`);
    }
  }
  const writer = new Mustache.Writer();
  return writer.renderTokens(tokens as never, new Mustache.Context(context), undefined, template, { escape: escaperFor(mode, file) } as never);
}
