/**
 * The build's status line as a user sees it: the CLI runs inside tmux (a real pty and terminal
 * emulator) 30 columns wide, and the test reads the screen tmux rendered.
 */
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasCommand } from '../lab/helpers.js';
import { tempRoot } from '../render/helpers.js';
import { BIN, FAKE_PACKER, repoRoot, testCacheDir } from './helpers.js';

const temp = await tempRoot('boxwright-cli-status-');
test.after.always(() => temp.cleanup());

const WIDTH = 30;
const withTmux = hasCommand('tmux') ? test : test.skip;
/** A status line shows the elapsed time first: `[1.2s] ...` or `[1m05s] ...`. */
const STATUS = /\[\d+(?:\.\d|m\d\d)s\]/;

const quote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * Runs a failing build (stand-in packer) in a tmux pane WIDTH columns wide. Returns the final
 * screen's rows, and every status row seen on the screens read while it ran.
 */
async function screenOfFailingBuild(name: string, term: string): Promise<{ rows: string[]; statusSeen: string[] }> {
  const socket = `boxwright-cli-test-${process.pid}-${name}`;
  const tmux = (...args: string[]) => execa('tmux', ['-L', socket, '-f', '/dev/null', ...args], { reject: false });
  const out = path.join(temp.dir, name);
  const env = { BOXWRIGHT_CACHE: testCacheDir, FAKE_PACKER_MODE: 'fail', FAKE_PACKER_DELAY: '3', TERM: term, BOXWRIGHT_DEBUG: '' };
  const command = `cd ${quote(repoRoot)} && env ${Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(' ')} `
    + `node ${quote(BIN)} build images/foobar-web -b ubuntu-24.04 -k vm -o ${quote(out)} --packer ${quote(FAKE_PACKER)}; echo EXIT=$?; sleep 600`;
  const started = await tmux('new-session', '-d', '-s', 'main', '-x', String(WIDTH), '-y', '60', command);
  if (started.exitCode !== 0) throw new Error(`tmux did not start: ${started.stderr}`);
  try {
    const deadline = Date.now() + 180_000;
    const statusSeen: string[] = [];
    for (;;) {
      const screen = (await tmux('capture-pane', '-p', '-t', 'main')).stdout;
      if (/EXIT=\d+/.test(screen)) return { rows: screen.split('\n'), statusSeen };
      statusSeen.push(...screen.split('\n').filter((row) => STATUS.test(row)));
      if (Date.now() > deadline) throw new Error(`the build did not finish; screen:\n${screen}`);
      await sleep(250);
    }
  } finally {
    await tmux('kill-server');
  }
}

withTmux('in a 30-column terminal the status line never wraps, is gone at the end, and the error starts a line of its own', async (t) => {
  const { rows, statusSeen } = await screenOfFailingBuild('narrow', 'xterm');
  t.log(rows.join('\n'));
  t.true(statusSeen.some((row) => row.includes('provision')), 'the status line was shown while the build ran');
  for (const row of statusSeen) t.true([...row].length <= WIDTH - 1, `status row fits in ${WIDTH - 1} columns: ${row}`);
  t.true(rows.includes('EXIT=1'));
  const error = rows.findIndex((row) => row.startsWith('boxwright build: packer build'));
  t.true(error >= 0, 'the error message starts at the first column of a row');
  t.deepEqual(rows.filter((row) => STATUS.test(row)), [], 'no status line (or the start of a wrapped one) is left on screen');
  t.true(rows.some((row) => row.startsWith('cache miss')), 'lines printed above the status line stay');
});

withTmux('with TERM=dumb the progress is plain lines, one per phase, without the redrawn status line', async (t) => {
  const { rows, statusSeen } = await screenOfFailingBuild('dumb', 'dumb');
  t.deepEqual(statusSeen, [], 'never a redrawn status line');
  t.log(rows.join('\n'));
  t.true(rows.includes('EXIT=1'));
  for (const phase of ['render', 'validate', 'boot', 'provision']) t.true(rows.includes(phase), `a line "${phase}"`);
  t.deepEqual(rows.filter((row) => STATUS.test(row)), []);
  t.is(rows.filter((row) => row === 'provision').length, 1, 'an unchanged status is not printed again');
  t.true(rows.some((row) => row.startsWith('boxwright build: packer build')));
});
