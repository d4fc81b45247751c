import type { BuildEvent } from '../builder/events.js';

/** Formats milliseconds as `1m05s` / `12.3s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/** What a status line writes to: a stream, maybe a terminal. */
export interface StatusStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A redrawn status line (one per process is active at a time). */
export interface StatusLine {
  /** Replaces the status text (a TTY redraws one line; otherwise a plain line is printed). */
  set(text: string): void;
  /** Prints a line above the status line, which then comes back. */
  line(text: string): void;
  /** Removes the status line from the screen (it comes back with the next `set`). */
  clear(): void;
  /** True when the status line is redrawn in place (a TTY that is not `TERM=dumb`). */
  readonly live: boolean;
}

const CLEAR = '\r\x1b[2K';
let active: StatusLine | undefined;

/**
 * Clears the status line of this process, if one is on screen: call it before printing an error,
 * so the message starts on a line of its own.
 */
export function clearStatusLine(): void {
  active?.clear();
}

/** Cuts text to `width` characters (code points), ending in `…` when cut. */
export function fitWidth(text: string, width: number): string {
  const chars = [...text.replace(/[\r\n\t]/g, ' ')];
  if (chars.length <= width) return chars.join('');
  if (width <= 1) return chars.slice(0, Math.max(0, width)).join('');
  return `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * A status line on `stream`. It is redrawn in place only when the stream is a TTY and `TERM` is not
 * `dumb`; then it is cut to the terminal's width minus one column (so it never wraps, whatever the
 * width and however it changes), and cleared before any other line is printed. Otherwise each new
 * status is printed as a plain line, and only when it changed.
 */
export function statusLine(stream: StatusStream, env: NodeJS.ProcessEnv = process.env): StatusLine {
  const live = stream.isTTY === true && env.TERM !== 'dumb';
  let text = '';
  let shown = false;
  let lastPlain = '';
  const columns = (): number => {
    const fromStream = typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : undefined;
    const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
    return fromStream ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 80);
  };
  const draw = (): void => {
    stream.write(`${CLEAR}${fitWidth(text, columns() - 1)}`);
    shown = true;
  };
  const self: StatusLine = {
    live,
    set(next) {
      text = next;
      active = self;
      if (live) draw();
      else if (next !== lastPlain) {
        lastPlain = next;
        stream.write(`${next}\n`);
      }
    },
    line(next) {
      if (live && shown) stream.write(CLEAR);
      stream.write(`${next}\n`);
      if (live && shown) draw();
    },
    clear() {
      if (live && shown) stream.write(CLEAR);
      shown = false;
    },
  };
  return self;
}

/** A build's progress printer; `done()` stops its timer and clears the status line. */
export interface ProgressPrinter {
  (event: BuildEvent): void;
  done(): void;
}

/**
 * Progress display on stderr. On a TTY one status line is redrawn (phase, step k/n, elapsed),
 * fitted to the terminal's width; otherwise plain lines are printed for phases and steps. Packer's
 * log lines are shown only with `verbose` (errors always).
 */
export function progressPrinter(stream: StatusStream, verbose: boolean, env: NodeJS.ProcessEnv = process.env): ProgressPrinter {
  const status = statusLine(stream, env);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let lastPhase = '';
  let lastStep = '';
  const render = (): void => status.set(status.live
    ? `[${formatDuration(Date.now() - started)}] ${lastPhase}${lastStep ? ` · ${lastStep}` : ''}`
    : `${lastPhase}${lastStep ? ` · ${lastStep}` : ''}`);
  const done = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
    status.clear();
  };
  const printer = (event: BuildEvent): void => {
    switch (event.type) {
      case 'phase':
        lastPhase = event.phase;
        lastStep = '';
        if (event.phase === 'done') {
          done();
          return;
        }
        if (status.live && !timer) timer = setInterval(render, 1000).unref();
        render();
        return;
      case 'step':
        lastStep = `step ${event.index}/${event.total} ${event.name}`;
        render();
        return;
      case 'log':
        if (verbose || event.level === 'error') status.line(`${event.source}: ${event.line}`);
        return;
      case 'cache':
        status.line(`cache ${event.result} (inputs ${event.inputsHash.slice(0, 12)})`);
        return;
      case 'artifact':
        status.line(`box ${event.path} (${(event.size / 1e6).toFixed(1)} MB, sha256 ${event.sha256})`);
        return;
    }
  };
  return Object.assign(printer, { done });
}
