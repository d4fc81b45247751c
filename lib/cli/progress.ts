import type { BuildEvent } from '../builder/events.js';

/** Formats milliseconds as `1m05s` / `12.3s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/**
 * Progress display on stderr. On a TTY one status line is redrawn (phase, step k/n, elapsed);
 * otherwise plain lines are printed for phases and steps. Packer's log lines are shown only with
 * `verbose` (errors always).
 */
export function progressPrinter(stream: NodeJS.WriteStream, verbose: boolean): (event: BuildEvent) => void {
  const tty = stream.isTTY === true;
  let status = '';
  const started = Date.now();
  const line = (text: string): void => {
    if (tty && status) stream.write('\r\x1b[2K');
    stream.write(`${text}\n`);
    if (tty && status) stream.write(status);
  };
  const redraw = (text: string): void => {
    status = text;
    if (tty) stream.write(`\r\x1b[2K${text}`);
    else stream.write(`${text}\n`);
  };
  let timer: NodeJS.Timeout | undefined;
  let lastPhase = '';
  let lastStep = '';
  const render = (): void => redraw(`[${formatDuration(Date.now() - started)}] ${lastPhase}${lastStep ? ` · ${lastStep}` : ''}`);
  return (event) => {
    switch (event.type) {
      case 'phase':
        lastPhase = event.phase;
        lastStep = '';
        if (event.phase === 'done') {
          if (timer) clearInterval(timer);
          if (tty) stream.write('\r\x1b[2K');
          status = '';
          return;
        }
        if (tty && !timer) timer = setInterval(render, 1000).unref();
        render();
        return;
      case 'step':
        lastStep = `step ${event.index}/${event.total} ${event.name}`;
        render();
        return;
      case 'log':
        if (verbose || event.level === 'error') line(`${event.source}: ${event.line}`);
        return;
      case 'cache':
        line(`cache ${event.result} (inputs ${event.inputsHash.slice(0, 12)})`);
        return;
      case 'artifact':
        line(`box ${event.path} (${(event.size / 1e6).toFixed(1)} MB, sha256 ${event.sha256})`);
        return;
    }
  };
}
