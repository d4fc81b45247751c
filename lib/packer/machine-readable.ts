/**
 * Parser for `packer -machine-readable` output: one line per record,
 * `timestamp,target,type,data...`, where packer escapes `,` as `%!(PACKER_COMMA)`,
 * a newline as the two characters `\n` and a carriage return as `\r`.
 */

/** Level of a `ui` line: `say` (`==> target: ...`), `message` (indented output), `error`. */
export type UiLevel = 'say' | 'message' | 'error';

/** Field of an `artifact,<index>,<field>,...` line. */
export type ArtifactField = 'builder-id' | 'id' | 'string' | 'files-count' | 'file' | 'end' | 'nil';

interface EventBase {
  /** Unix time (seconds) packer stamped on the line. */
  timestamp: number;
  /** Build name (`null.n`, `qemu.foobar-web`), or `''` for packer-wide lines. */
  target: string;
}

/** Human-readable output packer would have printed. */
export interface UiEvent extends EventBase {
  type: 'ui';
  level: UiLevel;
  /** Unescaped text, e.g. `==> qemu.x: Waiting for SSH to become available...`. */
  message: string;
}

/** Number of artifacts `target` produced (one per builder and per post-processor kept). */
export interface ArtifactCountEvent extends EventBase {
  type: 'artifact-count';
  count: number;
}

/** One field of artifact `index` of `target`; see {@link ArtifactCollector}. */
export interface ArtifactEvent extends EventBase {
  type: 'artifact';
  /** Index of the artifact within its target. */
  index: number;
  field: ArtifactField | (string & {});
  /** The value (`builder-id`, `id`, `string`, `files-count`, the path of a `file`); `''` for `end`. */
  value: string;
  /** For `file` lines: the index of the file within the artifact. */
  fileIndex?: number;
}

/** Number of builds that failed. */
export interface ErrorCountEvent extends EventBase {
  type: 'error-count';
  count: number;
}

/** Why build `target` failed (one line per failed build, at the end of the run). */
export interface ErrorEvent extends EventBase {
  type: 'error';
  message: string;
}

/** From `packer -machine-readable version`: `version`, `version-prelease`, `version-commit`. */
export interface VersionEvent extends EventBase {
  type: 'version';
  field: 'version' | 'prerelease' | 'commit';
  value: string;
}

/** A well-formed line of a type this parser does not model (kept for logs). */
export interface OtherEvent extends EventBase {
  type: 'other';
  kind: string;
  data: string[];
}

/** A stdout line that is not machine-readable at all (e.g. a Go panic). */
export interface RawEvent {
  type: 'raw';
  line: string;
}

/** Every event the parser yields; a tagged union on `type`. */
export type PackerEvent =
  | UiEvent
  | ArtifactCountEvent
  | ArtifactEvent
  | ErrorCountEvent
  | ErrorEvent
  | VersionEvent
  | OtherEvent
  | RawEvent;

/** Undo packer's machine-readable escaping of one field. */
export function unescapeField(field: string): string {
  return field
    .replaceAll('%!(PACKER_COMMA)', ',')
    .replaceAll('\\n', '\n')
    .replaceAll('\\r', '\r');
}

const LINE = /^(\d+),([^,]*),([^,]+)(?:,(.*))?$/s;

function toInt(text: string | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isFinite(n) ? n : Number.NaN;
}

/**
 * Parse one line of `-machine-readable` output into a {@link PackerEvent}.
 * Returns `undefined` for an empty line; a line that is not machine-readable gives a `raw` event.
 */
export function parseMachineReadableLine(line: string): PackerEvent | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return undefined;
  const match = LINE.exec(text);
  if (!match) return { type: 'raw', line: text };
  const timestamp = Number(match[1]);
  const target = unescapeField(match[2] ?? '');
  const kind = match[3] ?? '';
  const data = match[4] === undefined ? [] : match[4].split(',').map(unescapeField);
  const base = { timestamp, target };

  switch (kind) {
    case 'ui': {
      const level = data[0];
      if (level === 'say' || level === 'message' || level === 'error') {
        return { ...base, type: 'ui', level, message: data.slice(1).join(',') };
      }
      break;
    }
    case 'artifact-count':
      return { ...base, type: 'artifact-count', count: toInt(data[0]) };
    case 'artifact': {
      const index = toInt(data[0]);
      const field = data[1] ?? '';
      if (field === 'file') {
        return { ...base, type: 'artifact', index, field, fileIndex: toInt(data[2]), value: data.slice(3).join(',') };
      }
      return { ...base, type: 'artifact', index, field, value: data.slice(2).join(',') };
    }
    case 'error-count':
      return { ...base, type: 'error-count', count: toInt(data[0]) };
    case 'error':
      return { ...base, type: 'error', message: data.join(',') };
    case 'version':
      return { ...base, type: 'version', field: 'version', value: data.join(',') };
    case 'version-prelease':
      return { ...base, type: 'version', field: 'prerelease', value: data.join(',') };
    case 'version-commit':
      return { ...base, type: 'version', field: 'commit', value: data.join(',') };
    default:
      break;
  }
  return { ...base, type: 'other', kind, data };
}

/** Parse a whole recorded log (e.g. a fixture) into events, skipping empty lines. */
export function parseMachineReadable(text: string): PackerEvent[] {
  const events: PackerEvent[] = [];
  for (const line of text.split('\n')) {
    const event = parseMachineReadableLine(line);
    if (event) events.push(event);
  }
  return events;
}
