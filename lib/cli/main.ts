import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BoxwrightError, exitCodeFor, isBoxwrightError } from '../errors.js';
import { COMMANDS, usage } from './commands.js';

/**
 * Runs the CLI with `argv` (without node and script). Returns the exit code:
 * 0 success, 1 the job failed, 2 bad usage or bad input, 130 cancelled.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`boxwright: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\nboxwright: ${signal}: cancelling (packer stops its VM; press Ctrl-C again to quit at once)\n`);
    controller.abort(new BoxwrightError('E_CANCELLED', `cancelled by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await command.run(rest, controller.signal);
  } catch (error) {
    const code = exitCodeFor(error);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`boxwright ${name}: ${message}\n`);
    if (process.env.BOXWRIGHT_DEBUG === '1') {
      process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
      if (error instanceof Error && error.cause) process.stderr.write(`cause: ${String((error.cause as Error).stack ?? error.cause)}\n`);
    } else if (!isBoxwrightError(error)) {
      process.stderr.write('(an unexpected error; set BOXWRIGHT_DEBUG=1 for the stack trace)\n');
    }
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
const self = fileURLToPath(import.meta.url);
if (invoked === self || invoked.endsWith('/bin/boxwright.js')) {
  process.exitCode = await main(process.argv.slice(2));
}
