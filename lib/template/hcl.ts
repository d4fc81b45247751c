/**
 * A string as an HCL literal: `${` and `%{` start interpolations and directives in HCL templates
 * (every string of an HCL2-JSON template is one), so they are written `$${` and `%%{`, which packer
 * reads back as the literal text. Other characters pass unchanged.
 */
export function hclLiteral(value: string): string {
  // Function replacements: in a replacement string, `$$` would mean one `$`.
  return value.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
}

/**
 * Every string value inside `value` passed through {@link hclLiteral} (object keys are block labels
 * and attribute names, never templates). The composed template has no interpolation of its own, so
 * this makes every value, spec values included, reach packer as written.
 */
export function hclLiterals<T>(value: T): T {
  if (typeof value === 'string') return hclLiteral(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => hclLiterals(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, hclLiterals(item)])) as T;
  }
  return value;
}
