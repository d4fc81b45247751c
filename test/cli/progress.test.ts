import test from 'ava';
import { clearStatusLine, fitWidth, progressPrinter, statusLine } from '../../lib/cli/progress.js';

/** A stream that records what is written; a terminal of `columns` when `tty`. */
function stream(tty: boolean, columns = 80) {
  const writes: string[] = [];
  return { writes, isTTY: tty, columns, write: (text: string) => writes.push(text), text: () => writes.join('') };
}

const CLEAR = '\r\x1b[2K';

test('fitWidth cuts to the width with an ellipsis and never splits a character', (t) => {
  t.is(fitWidth('short', 10), 'short');
  t.is(fitWidth('a long status line', 10), 'a long st…');
  t.is([...fitWidth('ééééééééééé', 5)].length, 5);
  t.is(fitWidth('two\nlines', 20), 'two lines');
});

test('on a terminal the status line is cut to the width minus one column', (t) => {
  const out = stream(true, 20);
  const status = statusLine(out, { TERM: 'xterm' });
  status.set('[1.0s] provision · step 1/11 10-a-very-long-provisioner-name.sh');
  const drawn = out.writes.at(-1) ?? '';
  t.true(drawn.startsWith(CLEAR));
  t.is([...drawn.slice(CLEAR.length)].length, 19);
  t.false(drawn.includes('\n'));
});

test('a line printed under a status line clears it first and redraws it after', (t) => {
  const out = stream(true, 40);
  const status = statusLine(out, { TERM: 'xterm' });
  status.set('[0.1s] boot');
  status.line('cache miss');
  t.deepEqual(out.writes.slice(1), [CLEAR, 'cache miss\n', `${CLEAR}[0.1s] boot`]);
});

test('clearStatusLine removes the active status line before an error is printed', (t) => {
  const out = stream(true, 40);
  statusLine(out, { TERM: 'xterm' }).set('[0.1s] provision');
  clearStatusLine();
  t.is(out.writes.at(-1), CLEAR);
});

test('when stderr is not a terminal the status is plain lines without escape codes, each once', (t) => {
  const out = stream(false);
  const printer = progressPrinter(out, false, { TERM: 'xterm' });
  printer({ type: 'phase', phase: 'render', elapsedMs: 0 });
  printer({ type: 'phase', phase: 'validate', elapsedMs: 5 });
  printer({ type: 'step', index: 1, total: 2, name: '10-a.sh', elapsedMs: 9 });
  printer({ type: 'phase', phase: 'done', elapsedMs: 10 });
  t.is(out.text(), 'render\nvalidate\nvalidate · step 1/2 10-a.sh\n');
  t.notRegex(out.text(), /\x1b/);
});

test('TERM=dumb gets plain lines even on a terminal', (t) => {
  const out = stream(true, 20);
  const printer = progressPrinter(out, false, { TERM: 'dumb' });
  printer({ type: 'phase', phase: 'boot', elapsedMs: 0 });
  printer({ type: 'log', source: 'packer', level: 'error', line: 'it broke' });
  printer.done();
  t.is(out.text(), 'boot\npacker: it broke\n');
});
