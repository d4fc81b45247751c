import { readFileSync, realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BoxwrightError, exitCodeFor, isBoxwrightError } from '../errors.js';
import { wantsHelp, wantsJson } from './args.js';
import { COMMANDS, helpText, synopsis, usage, type Command } from './commands.js';
import { writeEvent, type JsonCommand } from './events.js';
import { clearStatusLine } from './progress.js';

/** The signals the CLI handles, and its exit code for each (128 + the signal's number). */
export const SIGNAL_EXIT_CODES: Readonly<Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', number>> = {
  SIGINT: 128 + constants.signals.SIGINT,
  SIGTERM: 128 + constants.signals.SIGTERM,
  SIGHUP: 128 + constants.signals.SIGHUP,
};

/** After a second signal, how long the library gets to kill packer and remove the build folder. */
const FORCE_EXIT_MS = 10_000;

/** The package's version (from its package.json). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function printError(name: string, error: unknown, argv: readonly string[], command: Command | undefined, code: number): void {
  clearStatusLine();
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`boxwright ${name}: ${message}\n`);
  if (isBoxwrightError(error, 'E_USAGE') && command) process.stderr.write(`\n${synopsis(command)}\n(boxwright ${name} --help for details)\n`);
  if (process.env.BOXWRIGHT_DEBUG === '1') {
    process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    if (error instanceof Error && error.cause) process.stderr.write(`cause: ${String((error.cause as Error).stack ?? error.cause)}\n`);
  } else if (!isBoxwrightError(error)) {
    process.stderr.write('(an unexpected error; set BOXWRIGHT_DEBUG=1 for the stack trace)\n');
  }
  if (command?.json && wantsJson(argv)) {
    writeEvent(process.stdout, {
      command: name as JsonCommand, type: 'error', code: isBoxwrightError(error) ? error.code : 'E_UNEXPECTED', message, exitCode: code,
      ...(isBoxwrightError(error) && error.path !== undefined ? { path: error.path } : {}),
    });
  }
}

/**
 * Runs the CLI with `argv` (without node and script). Returns the exit code:
 * 0 success, 1 the job failed, 2 bad usage or bad input, 130 SIGINT, 143 SIGTERM, 129 SIGHUP.
 *
 * Signals: a command that starts packer (`build`) cancels on the first signal (packer stops its
 * VM and the build folder is removed); the second kills packer's process group and its VM at once
 * (the build folder is still removed) and exits; every other command exits at once on the first.
 * The exit code is that of the first signal.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest.find((arg) => arg !== '--');
    if (name !== 'help' || topic === undefined) {
      process.stdout.write(usage());
      return 0;
    }
    const command = COMMANDS[topic];
    if (!command) {
      process.stderr.write(`boxwright help: unknown command "${topic}"\n\n${usage()}`);
      return 2;
    }
    process.stdout.write(helpText(topic, command));
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`boxwright: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(helpText(name, command));
    return 0;
  }
  const controller = new AbortController();
  const force = new AbortController();
  let received: keyof typeof SIGNAL_EXIT_CODES | undefined;
  const onSignal = (signal: keyof typeof SIGNAL_EXIT_CODES): void => {
    const exitCode = SIGNAL_EXIT_CODES[signal];
    if (!command.cancels || force.signal.aborted) {
      clearStatusLine();
      process.stderr.write(`\nboxwright ${name}: ${signal}: stopped\n`);
      process.exit(received === undefined ? exitCode : SIGNAL_EXIT_CODES[received]);
    }
    clearStatusLine();
    if (received !== undefined) {
      // Second signal: packer's process group and its VM are killed at once, the build folder is
      // still removed; a third signal (or a library that does not stop) ends the process anyway.
      process.stderr.write(`\nboxwright ${name}: ${signal}: killing packer and its VM now\n`);
      force.abort(new BoxwrightError('E_CANCELLED', `killed by a second ${signal}`));
      setTimeout(() => process.exit(SIGNAL_EXIT_CODES[received ?? signal]), FORCE_EXIT_MS).unref();
      return;
    }
    received = signal;
    process.stderr.write(`\nboxwright ${name}: ${signal}: cancelling (packer stops its VM; send it again to kill it at once)\n`);
    controller.abort(new BoxwrightError('E_CANCELLED', `cancelled by ${signal}`));
  };
  const handlers = (Object.keys(SIGNAL_EXIT_CODES) as Array<keyof typeof SIGNAL_EXIT_CODES>)
    .map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    return await command.run(rest, controller.signal, force.signal);
  } catch (error) {
    const code = received !== undefined && isBoxwrightError(error, 'E_CANCELLED') ? SIGNAL_EXIT_CODES[received] : exitCodeFor(error);
    printError(name, error, rest, command, code);
    return code;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
const self = fileURLToPath(import.meta.url);
if (invoked === self || invoked.endsWith('/bin/boxwright.js')) {
  process.exitCode = await main(process.argv.slice(2));
}
