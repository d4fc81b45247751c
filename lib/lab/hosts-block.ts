/**
 * A managed block in a hosts file, delimited by marker comments:
 *
 * ```
 * # BEGIN boxwright <id>
 * 192.168.56.10 www.foobar.com
 * # END boxwright <id>
 * ```
 *
 * Every function here is pure text in, text out. Bytes outside the block are never changed, the
 * file's line ending (LF or CRLF) is kept, and `removeHostsBlock(setHostsBlock(t, id, l), id)`
 * gives back `t` exactly, even when `t` has no trailing newline. `vagrant/hosts_block.rb` is the
 * same algorithm in Ruby; both are tested against `test/fixtures/lab/hosts-block-cases.json`.
 */

/** Marker line that opens the block of `id`. */
export function beginMarker(id: string): string {
  return `# BEGIN boxwright ${id}`;
}

/** Marker line that closes the block of `id`. */
export function endMarker(id: string): string {
  return `# END boxwright ${id}`;
}

/** One hosts-file line: `<ip> <name> <name>...`, single spaces. */
export function hostsEntry(ip: string, names: readonly string[]): string {
  return [ip, ...names].join(' ');
}

/** Line ending of `text`: the first one found, `\n` when there is none. */
export function detectEol(text: string): '\n' | '\r\n' {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** A line with its terminator (`\n`, `\r\n` or `''` for a last line without one). */
interface Line {
  body: string;
  end: string;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  for (const m of text.matchAll(/([^\n]*?)(\r?\n|$)/g)) {
    if (m[0] === '' && m.index === text.length) break;
    lines.push({ body: m[1] ?? '', end: m[2] ?? '' });
  }
  return lines;
}

function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.body + l.end).join('');
}

/** Index range [begin, end] of every block of `id`; throws on a BEGIN without its END. */
function findBlocks(lines: readonly Line[], id: string): Array<[number, number]> {
  const blocks: Array<[number, number]> = [];
  let open = -1;
  lines.forEach((line, i) => {
    if (open < 0 && line.body === beginMarker(id)) open = i;
    else if (open >= 0 && line.body === endMarker(id)) {
      blocks.push([open, i]);
      open = -1;
    }
  });
  if (open >= 0) throw new Error(`hosts file has "${beginMarker(id)}" without "${endMarker(id)}"; fix it by hand`);
  return blocks;
}

/** Drops the lines of one block; a block ending the file without a newline takes the newline before it. */
function dropBlock(lines: Line[], [b, e]: [number, number]): void {
  const atEofWithoutEol = e === lines.length - 1 && lines[e]?.end === '';
  lines.splice(b, e - b + 1);
  const prev = lines[b - 1];
  if (atEofWithoutEol && prev) prev.end = '';
}

/**
 * Inserts or replaces the block of `id` so that it holds exactly `entries`.
 * A new block goes at the end of the file; an existing one is replaced where it is.
 * @param text hosts file content
 * @param id block id (machine or lab name; no whitespace)
 * @param entries lines of the block, e.g. from {@link hostsEntry}
 */
export function setHostsBlock(text: string, id: string, entries: readonly string[]): string {
  const eol = detectEol(text);
  const lines = splitLines(text);
  const blocks = findBlocks(lines, id);
  const body = [beginMarker(id), ...entries, endMarker(id)];
  const first = blocks[0];
  if (first) {
    const lastEnd = lines[first[1]]?.end ?? eol;
    const fresh = body.map((b, i) => ({ body: b, end: i === body.length - 1 ? lastEnd : eol }));
    for (const extra of blocks.slice(1).reverse()) dropBlock(lines, extra);
    lines.splice(first[0], first[1] - first[0] + 1, ...fresh);
    return joinLines(lines);
  }
  const last = lines[lines.length - 1];
  if (last && last.end === '') {
    // No trailing newline: keep it that way, so removing the block restores the file exactly.
    last.end = eol;
    return joinLines(lines) + body.join(eol);
  }
  return text + body.map((b) => b + eol).join('');
}

/** Removes every block of `id`; returns `text` unchanged when there is none. */
export function removeHostsBlock(text: string, id: string): string {
  const lines = splitLines(text);
  const blocks = findBlocks(lines, id);
  if (blocks.length === 0) return text;
  for (const block of blocks.reverse()) dropBlock(lines, block);
  return joinLines(lines);
}
