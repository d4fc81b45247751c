import { execa, type Options } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { schemaErrors } from '../helpers/json-schema.js';
import { repoRoot, testCacheDir } from '../render/helpers.js';

export { repoRoot, testCacheDir };

/** The package's bin, run with node directly (npx does not forward signals). */
export const BIN = path.join(repoRoot, 'bin', 'boxwright.js');

/** A stand-in packer (see the script's header for its modes). */
export const FAKE_PACKER = path.join(repoRoot, 'test', 'cli', 'fixtures', 'fake-packer.sh');

/** Environment of a CLI run: the shared test cache, no debug output. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { BOXWRIGHT_CACHE: testCacheDir, BOXWRIGHT_DEBUG: '', ...extra };
}

/** Runs the CLI as a user would: `node bin/boxwright.js ...` from the repository root. */
export function cli(args: readonly string[], options: { env?: Record<string, string>; input?: string; timeout?: number } = {}) {
  return execa('node', [BIN, ...args], { cwd: repoRoot, reject: false, input: options.input, timeout: options.timeout, env: cliEnv(options.env) });
}

/** The JSON Schema of `--json` lines. */
export const eventSchema = JSON.parse(readFileSync(path.join(repoRoot, 'schema', 'events.schema.json'), 'utf8')) as Record<string, unknown>;

/** Parses stdout as JSON lines and returns them with each line's schema errors. */
export function eventLines(stdout: string): Array<{ event: Record<string, unknown>; errors: string[] }> {
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const event = JSON.parse(line) as Record<string, unknown>;
    return { event, errors: schemaErrors(eventSchema, event) };
  });
}
