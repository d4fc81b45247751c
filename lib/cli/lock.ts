import { BoxwrightError } from '../errors.js';
import { compareLock, formatMismatch } from '../lock/compare.js';
import { lockPath, readLock, writeLock } from '../lock/file.js';
import { resolveLock } from '../lock/resolve.js';
import type { ResolveLockOptions } from '../lock/types.js';
import { loadImage } from '../image/load.js';
import { BASE_NAMES, BUILD_KINDS, PROVIDERS } from '../image/rules.js';
import { choice, parseArgs, stringFlag } from './args.js';

/** Where the lock command writes (tests pass their own). */
export interface LockIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Help of `boxwright lock`. */
export const LOCK_HELP = `Usage: boxwright lock <image> [--update] [-b|--base debian-13|debian-12|ubuntu-24.04] [-p|--provider libvirt|virtualbox] [-k|--kind auto|vm|chroot] [--packer PATH]

Resolves every input of the image without building anything — the base (Debian: recipe hash and
the mirror's Release dates; Ubuntu: the dated cloud image and its sha256), packer and its plugins,
the nodejs version the guest's apt will install, the app's source hash and its locked
dependencies — and pins them in boxwright.lock.json beside image.json.

  no lock file       writes it (exit 0)
  lock file present  compares: exit 0 "lock up to date", or lists each changed field and exits 1
  --update           rewrites the lock with the inputs resolved now (exit 0)

A build checks the lock when there is one (a build without a lock file is allowed). Prints the
lock path on stdout.`;

/**
 * Runs `boxwright lock` with `argv` (after the command name). Returns the exit code:
 * 0 written / up to date / updated, 1 the lock no longer matches (without --update).
 */
export async function runLock(argv: readonly string[], signal: AbortSignal, io: LockIo = process): Promise<number> {
  const { positionals, flags } = parseArgs(argv, ['base', 'provider', 'kind', 'packer'], ['update']);
  const [image, ...extra] = positionals;
  if (image === undefined) throw new BoxwrightError('E_USAGE', 'lock needs an image folder or image.json path, e.g. images/foobar-web');
  if (extra.length > 0) throw new BoxwrightError('E_USAGE', `unexpected argument ${extra[0]}`);
  const base = choice(flags, 'base', BASE_NAMES);
  const provider = choice(flags, 'provider', PROVIDERS);
  const kind = choice(flags, 'kind', BUILD_KINDS);
  const packerPath = stringFlag(flags, 'packer');
  const options: ResolveLockOptions = {
    signal,
    ...(base ? { base } : {}), ...(provider ? { provider } : {}), ...(kind ? { kind } : {}), ...(packerPath ? { packerPath } : {}),
  };

  const spec = await loadImage(image);
  const file = lockPath(spec.dir);
  const existing = await readLock(spec.dir);
  io.stderr.write(`lock: resolving the inputs of ${spec.name} (base ${base ?? (typeof spec.base === 'string' ? spec.base : 'custom')})\n`);
  const actual = await resolveLock(spec, options);

  if (existing === undefined) {
    await writeLock(spec.dir, actual);
    io.stderr.write(`lock: wrote ${file}\n`);
    io.stdout.write(`${file}\n`);
    return 0;
  }
  const mismatches = compareLock(existing, actual);
  if (flags.update === true) {
    await writeLock(spec.dir, actual);
    io.stderr.write(mismatches.length === 0
      ? `lock: up to date, rewritten unchanged: ${file}\n`
      : `lock: updated ${mismatches.length} field${mismatches.length === 1 ? '' : 's'} in ${file}:\n${mismatches.map((m) => `  ${formatMismatch(m)}\n`).join('')}`);
    io.stdout.write(`${file}\n`);
    return 0;
  }
  io.stdout.write(`${file}\n`);
  if (mismatches.length === 0) {
    io.stderr.write('lock up to date\n');
    return 0;
  }
  io.stdout.write(mismatches.map((m) => `${formatMismatch(m)}\n`).join(''));
  const baseFlag = base ? ` --base ${base}` : '';
  io.stderr.write(`lock: ${mismatches.length} field${mismatches.length === 1 ? '' : 's'} changed since the lock was written; if that is intended run \`boxwright lock ${image}${baseFlag} --update\` (or build with --update-lock)\n`);
  return 1;
}

/** `boxwright lock <image> [--update]`: same shape as the commands in commands.ts. */
export const lockCommand = {
  summary: 'write or check boxwright.lock.json (every build input pinned); --update refreshes it',
  help: LOCK_HELP,
  run: (argv: readonly string[], signal: AbortSignal): Promise<number> => runLock(argv, signal),
};
