/**
 * Quotes a value for POSIX shells: the result is one word whose value is exactly `value`.
 * `it's` → `'it'\''s'`. Used as the mustache escape for `*.sh` templates.
 */
export function shellQuote(value: unknown): string {
  const text = String(value);
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Characters a value may contain to be placed verbatim into a config file template. */
export const CONFIG_SAFE = /^[A-Za-z0-9._:/ @,=+-]*$/;
