import { readFile } from 'node:fs/promises';
import { buildImage } from '../builder/build-image.js';
import { renderImage } from '../render/render-image.js';
import { validateRendered } from '../builder/validate-rendered.js';
import { loadImage } from '../image/load.js';
import { ACCELERATORS, BASE_NAMES, BUILD_KINDS, PROVIDERS } from '../image/rules.js';
import { BoxwrightError } from '../errors.js';
import { choice, parseArgs, stringFlag } from './args.js';
import { fromBuildEvent, writeEvent } from './events.js';
import { progressPrinter } from './progress.js';
import { diffManifests, formatDiff } from '../builder/diff.js';
import { publishCommand, PUBLISH_HELP } from './publish.js';
import { checkBox } from '../verify/check-box.js';
import { lockCommand } from './lock.js';
import { deployCommand, DEPLOY_HELP } from './deploy.js';
import { dbPromoteCommand, DB_PROMOTE_HELP } from './db-promote.js';

/** An environment variable a command reads: its name and what it does. */
export type EnvVar = readonly [name: string, meaning: string];

/** A CLI command: its help text and what it runs. */
export interface Command {
  summary: string;
  /** `Usage: boxwright <name> ...` line(s), a blank line, then what it does. */
  help: string;
  /** The environment variables it reads (listed in its help). */
  env?: readonly EnvVar[];
  /** True when it has `--json` (one {@link CliEvent} per line on stdout). */
  json?: boolean;
  /**
   * True when the first signal cancels it cleanly (it starts packer, which must stop its VM) and
   * only the second exits at once. Every other command exits at once on the first signal.
   */
  cancels?: boolean;
  /** `force` is aborted by a second signal (only for a command that `cancels`). */
  run(argv: readonly string[], signal: AbortSignal, force?: AbortSignal): Promise<number>;
}

/** Read by every command. */
const DEBUG_ENV: EnvVar = ['BOXWRIGHT_DEBUG', '1: print stack traces with errors'];
const CACHE_ENV: EnvVar = ['BOXWRIGHT_CACHE', 'cache folder: base disks, app bundles, apt state (default $XDG_CACHE_HOME/boxwright or ~/.cache/boxwright)'];
const PACKER_ENV: EnvVar = ['PACKER_PATH', 'the packer binary to run (else packer on PATH); --packer wins'];
const TERM_ENV: EnvVar = ['TERM', 'dumb: plain progress lines instead of a redrawn status line (also when stderr is not a terminal)'];
const COLUMNS_ENV: EnvVar = ['COLUMNS', 'the terminal width, when the terminal does not report it (the status line fits into it)'];

function imageArg(positionals: string[], command: string): string {
  const [image, ...extra] = positionals;
  if (image === undefined) throw new BoxwrightError('E_USAGE', `${command} needs an image folder or image.json path, e.g. images/foobar-web`);
  if (extra.length > 0) throw new BoxwrightError('E_USAGE', `unexpected argument ${extra[0]}`);
  return image;
}

function requiredFlag(flags: Record<string, string | true>, name: string, example: string): string {
  const value = stringFlag(flags, name);
  if (value === undefined) throw new BoxwrightError('E_USAGE', `--${name} is required, e.g. --${name} ${example}`, { path: name });
  return value;
}

const render: Command = {
  summary: 'write the Packer build folder for an image; print its inputs hash',
  help: `Usage: boxwright render <image> -o|--out DIR [-p|--provider libvirt|virtualbox] [-b|--base B] [-k|--kind auto|vm|chroot] [-a|--accelerator auto|kvm|tcg]

Writes DIR/build.pkr.json, scripts/, files/, app.tar.gz and inputs.sha256. Rendering the same
image twice gives a byte-identical folder. Prints the inputs hash on stdout.`,
  env: [CACHE_ENV, DEBUG_ENV],
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, ['out', 'provider', 'base', 'kind', 'accelerator'], []);
    const image = imageArg(positionals, 'render');
    const outDir = requiredFlag(flags, 'out', 'build/');
    const options = {
      outDir,
      provider: choice(flags, 'provider', PROVIDERS), base: choice(flags, 'base', BASE_NAMES),
      kind: choice(flags, 'kind', BUILD_KINDS), accelerator: choice(flags, 'accelerator', ACCELERATORS),
    };
    const spec = await loadImage(image);
    const result = await renderImage(spec, stripUndefined(options));
    process.stderr.write(`rendered ${result.files.length} files to ${result.dir} (${result.plan.kind}, ${result.plan.provider}, ${result.plan.base.os})\n`);
    process.stdout.write(`${result.inputsHash}\n`);
    return 0;
  },
};

const validate: Command = {
  summary: 'validate an image spec, then run packer validate on its rendered build for every provider',
  help: `Usage: boxwright validate <image> [-p|--provider libvirt|virtualbox] [-b|--base B] [-k|--kind auto|vm|chroot] [--packer PATH] [--json]

Checks every field of image.json (errors name the field and the fix), renders the build into a
temporary folder and runs \`packer validate\` on it, once for each provider the spec lists (or only
--provider). Prints one "valid:" line per provider on stdout (with --json one result event each).
Exit 0 valid, 1 packer refused it, 2 bad spec.`,
  env: [PACKER_ENV, CACHE_ENV, DEBUG_ENV],
  json: true,
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, ['provider', 'base', 'kind', 'packer'], ['json']);
    const image = imageArg(positionals, 'validate');
    const only = choice(flags, 'provider', PROVIDERS);
    const common = stripUndefined({ base: choice(flags, 'base', BASE_NAMES), kind: choice(flags, 'kind', BUILD_KINDS), packerPath: stringFlag(flags, 'packer') });
    const spec = await loadImage(image);
    for (const provider of only ? [only] : spec.providers) {
      const result = await validateRendered(spec, { ...common, provider });
      if (flags.json === true) writeEvent(process.stdout, { command: 'validate', type: 'result', name: spec.name, version: spec.version, ...result });
      else process.stdout.write(`valid: ${spec.name} ${spec.version} (${result.kind}, ${result.provider}, ${result.os}, packer ${result.packerVersion})\n`);
    }
    return 0;
  },
};

const build: Command = {
  summary: 'build the box (or return the cached one) into --out',
  help: `Usage: boxwright build <image> -o|--out DIR [-p|--provider P] [-b|--base B] [-k|--kind auto|vm|chroot] [-a|--accelerator auto|kvm|tcg] [-f|--force] [--update-lock] [--check] [--json] [--verbose] [--packer PATH]

Builds <name>-<version>.<provider>.box, its .sha256, build-manifest.json and lab.json in DIR.
With --check the box is then boot-checked (see boxwright check --help). When the image has a
boxwright.lock.json, a build refuses inputs that no longer match it (E_LOCK_MISMATCH, exit 1)
unless --update-lock rewrites it first.
Progress goes to stderr; with --json one JSON event per line goes to stdout (docs/events.md).
Ctrl-C (SIGINT), SIGTERM or SIGHUP cancels cleanly (packer stops its VM; nothing half-built is
left) and exits 130, 143 or 129; a second signal kills packer and its VM at once (the build folder
is still removed).`,
  env: [PACKER_ENV, CACHE_ENV, TERM_ENV, COLUMNS_ENV, DEBUG_ENV],
  json: true,
  cancels: true,
  async run(argv, signal, force) {
    const { positionals, flags } = parseArgs(argv, ['out', 'provider', 'base', 'kind', 'accelerator', 'packer'], ['force', 'json', 'verbose', 'keep-build-dir', 'check', 'update-lock']);
    const image = imageArg(positionals, 'build');
    const outDir = requiredFlag(flags, 'out', 'out/');
    const options = stripUndefined({
      outDir,
      provider: choice(flags, 'provider', PROVIDERS), base: choice(flags, 'base', BASE_NAMES),
      kind: choice(flags, 'kind', BUILD_KINDS), accelerator: choice(flags, 'accelerator', ACCELERATORS),
      packerPath: stringFlag(flags, 'packer'), force: flags.force === true, keepBuildDir: flags['keep-build-dir'] === true,
      updateLock: flags['update-lock'] === true,
    });
    const spec = await loadImage(image);
    const printer = progressPrinter(process.stderr, flags.verbose === true);
    const result = await buildImage(spec, {
      ...options,
      signal,
      ...(force ? { forceSignal: force } : {}),
      onEvent: (event) => {
        if (flags.json === true) writeEvent(process.stdout, fromBuildEvent('build', event));
        printer(event);
      },
    }).finally(() => printer.done());
    if (flags.json === true) writeEvent(process.stdout, { command: 'build', type: 'result', ...result });
    else process.stdout.write(`${result.box}\n`);
    process.stderr.write(`${result.cached ? 'cached' : 'built'}: ${result.box} (${(result.size / 1e6).toFixed(1)} MB)\n`);
    if (flags.check === true) await runCheck(result.box, flags.verbose === true, flags.json === true);
    return 0;
  },
};

async function runCheck(box: string, verbose: boolean, json: boolean): Promise<void> {
  process.stderr.write(`boot-checking ${box} (boots it in a private network namespace)\n`);
  const result = await checkBox({ box, onLog: (line) => { if (verbose || line.startsWith('check: not ok')) process.stderr.write(`${line}\n`); } });
  if (json) writeEvent(process.stdout, { command: 'check', type: 'result', ...result });
  process.stderr.write(`check passed: ssh after ${(result.bootMs / 1000).toFixed(1)} s, first HTTP 200 after ${(result.firstHttpMs / 1000).toFixed(1)} s, ${result.passed.length} in-image checks ok\n`);
}

const check: Command = {
  summary: 'boot a built box and check the stack works, from HTTP down to the database',
  help: `Usage: boxwright check <box or out-dir> [--json] [--verbose]

Boots the libvirt box's disk under QEMU inside a private network namespace on the lab IP, fetches
http://<hostname>/ twice through nginx → app → database (the visit counter must grow), /healthz,
checks that an unknown Host is closed without a reply, and runs the in-image check suite
(provisioners/checks/verify.sh). Needs root. Exit 0 when everything passes, 1 otherwise, 2 when
the box or its build-manifest.json is missing or unreadable.`,
  env: [DEBUG_ENV],
  json: true,
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, [], ['json', 'verbose']);
    const [box, ...extra] = positionals;
    if (box === undefined || extra.length > 0) throw new BoxwrightError('E_USAGE', 'check needs one box file or build output folder, e.g. out/');
    await runCheck(box, flags.verbose === true, flags.json === true);
    return 0;
  },
};

const diff: Command = {
  summary: 'compare the package lists of two build manifests; exit 1 when they differ',
  help: `Usage: boxwright diff <build-manifest-a.json> <build-manifest-b.json> [--json]

Prints added, removed and changed packages (and app dependencies); with --json one result event.
Exit 0 when identical, 1 when they differ (for CI gates), 2 when a file is missing or not a manifest.`,
  env: [DEBUG_ENV],
  json: true,
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, [], ['json']);
    const [a, b, ...extra] = positionals;
    if (a === undefined || b === undefined || extra.length > 0) throw new BoxwrightError('E_USAGE', 'diff needs exactly two build-manifest.json paths');
    const result = diffManifests(await readManifest(a), await readManifest(b));
    if (flags.json === true) writeEvent(process.stdout, { command: 'diff', type: 'result', ...result });
    else process.stdout.write(formatDiff(result));
    return result.identical ? 0 : 1;
  },
};

const publish: Command = {
  summary: 'publish a box to a catalog (folder, HTTP PUT, S3) or to Vagrant Cloud / HCP (being retired)',
  help: PUBLISH_HELP,
  env: [
    ['VAGRANT_CLOUD_TOKEN', 'registry: the Vagrant Cloud / HCP Vagrant token (never give it on the command line)'],
    ['HCP_CLIENT_ID', 'registry without VAGRANT_CLOUD_TOKEN: HCP service principal id (with HCP_CLIENT_SECRET)'],
    ['HCP_CLIENT_SECRET', 'registry without VAGRANT_CLOUD_TOKEN: HCP service principal secret'],
    ['BOXWRIGHT_PUBLISH_TOKEN', 'remote https catalog: bearer token for its HTTP PUTs'],
    ['BOXWRIGHT_PUBLISH_USER', 'remote https catalog: basic-auth user (with BOXWRIGHT_PUBLISH_PASSWORD)'],
    ['BOXWRIGHT_PUBLISH_PASSWORD', 'remote https catalog: basic-auth password'],
    ['AWS_ACCESS_KEY_ID', 's3:// catalog: credentials, with AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN'],
    ['AWS_SECRET_ACCESS_KEY', 's3:// catalog: the secret of AWS_ACCESS_KEY_ID'],
    ['AWS_SESSION_TOKEN', 's3:// catalog: a session token for temporary credentials'],
    ['AWS_REGION', 's3:// catalog: the bucket\'s region (else AWS_DEFAULT_REGION)'],
    ['AWS_DEFAULT_REGION', 's3:// catalog: the region when AWS_REGION is not set'],
    ['AWS_ENDPOINT_URL_S3', 's3:// catalog: a custom S3 endpoint (else AWS_ENDPOINT_URL); path-style addressing'],
    ['AWS_ENDPOINT_URL', 's3:// catalog: a custom endpoint for every AWS service'],
    DEBUG_ENV,
  ],
  json: true,
  run: publishCommand,
};

async function readManifest(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new BoxwrightError('E_USAGE', `cannot read ${file}; give the build-manifest.json of a build`, { cause });
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new BoxwrightError('E_USAGE', `${file} is not JSON; give the build-manifest.json of a build`, { cause });
  }
}

function stripUndefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

const deploy: Command = {
  summary: 'ship the image\'s app to the running lab and switch to it with no failed request',
  help: DEPLOY_HELP,
  env: [DEBUG_ENV],
  json: true,
  run: deployCommand,
};

const dbPromote: Command = {
  summary: 'make db2 the primary of the ha lab and point the app servers at it',
  help: DB_PROMOTE_HELP,
  json: true,
  run: dbPromoteCommand,
};

/** Every command by name. */
export const COMMANDS: Readonly<Record<string, Command>> = { render, validate, build, check, lock: { ...lockCommand, env: [PACKER_ENV, CACHE_ENV, DEBUG_ENV] }, diff, publish, deploy, 'db-promote': dbPromote };

/** The `Usage:` part of a command's help (up to its first blank line). */
export function synopsis(command: Command): string {
  return command.help.split(/\n\s*\n/)[0] ?? command.help;
}

/** The full help of a command: its text, the environment variables it reads, the exit codes. */
export function helpText(name: string, command: Command): string {
  const env = command.env ?? [DEBUG_ENV];
  const width = Math.max(...env.map(([variable]) => variable.length));
  const signals = command.cancels
    ? '130/143/129 cancelled by SIGINT/SIGTERM/SIGHUP (a second signal kills packer at once)'
    : '130/143/129 stopped by SIGINT/SIGTERM/SIGHUP';
  return `${command.help}

Short flags: -o --out, -p --provider, -b --base, -k --kind, -a --accelerator, -f --force, -u --update,
-h --help (where the command has the long one); -- ends the options.

Environment:
${env.map(([variable, meaning]) => `  ${variable.padEnd(width)}  ${meaning}`).join('\n')}

Exit codes: 0 success, 1 the job failed, 2 bad usage or input, ${signals}.
(boxwright ${name}: see also boxwright --help)
`;
}

/** The top-level help. */
export function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return `Usage: boxwright <command> [options]    (boxwright <command> --help for details)

Commands:
${rows.join('\n')}

Short flags: -o --out, -p --provider, -b --base, -k --kind, -a --accelerator, -f --force,
-u --update, -h --help; -- ends the options. -v, --version or version prints the version;
help <command> (or <command> --help) a command's options and the environment variables it reads.

Exit codes: 0 success, 1 the job failed, 2 bad usage or input, 130 SIGINT, 143 SIGTERM, 129 SIGHUP.
`;
}
