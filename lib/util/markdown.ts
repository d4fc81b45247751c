/** Markdown helpers for the generated parts of README.md and the bench report. */

/** Text made safe for one cell of a markdown table (pipes escaped, newlines joined). */
export function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * `text` with everything from `begin` to `end` (both markers included) replaced by `replacement`;
 * throws `missing` as the message when the markers are not there in that order.
 */
export function replaceBetweenMarkers(text: string, begin: string, end: string, replacement: string, missing: string): string {
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(missing);
  return text.slice(0, from) + replacement + text.slice(to + end.length);
}
