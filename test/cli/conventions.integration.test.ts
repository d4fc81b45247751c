import test from 'ava';
import { execa } from 'execa';
import { closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SHORT_FLAGS } from '../../lib/cli/args.js';
import { COMMANDS, helpText } from '../../lib/cli/commands.js';
import { tempRoot } from '../render/helpers.js';
import { cli, repoRoot } from './helpers.js';

const temp = await tempRoot('boxwright-cli-conv-');
test.after.always(() => temp.cleanup());
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

for (const flag of ['-v', '--version', 'version']) {
  test(`${flag} prints the package version on stdout and exits 0`, async (t) => {
    const result = await cli([flag]);
    t.is(result.exitCode, 0);
    t.is(result.stdout, pkg.version);
    t.is(result.stderr, '');
  });
}

test('help <command> prints the same help as <command> --help, on stdout, exit 0', async (t) => {
  const [viaHelp, viaFlag, viaShort] = await Promise.all([cli(['help', 'build']), cli(['build', '--help']), cli(['build', '-h'])]);
  t.is(viaHelp.exitCode, 0);
  t.regex(viaHelp.stdout, /^Usage: boxwright build /);
  t.is(viaHelp.stdout, viaFlag.stdout);
  t.is(viaHelp.stdout, viaShort.stdout);
  t.notRegex(viaHelp.stdout, /^Commands:/m, 'not the top-level usage');
});

test('help of an unknown command exits 2 with the message on stderr', async (t) => {
  const result = await cli(['help', 'bulid']);
  t.is(result.exitCode, 2);
  t.is(result.stdout, '');
  t.regex(result.stderr, /unknown command "bulid"/);
});

test('a usage error prints the message and then the command usage on stderr, nothing on stdout, exit 2', async (t) => {
  const result = await cli(['render', 'images/foobar-web', '-o']);
  t.is(result.exitCode, 2);
  t.is(result.stdout, '');
  t.regex(result.stderr, /^boxwright render: --out needs a value/);
  t.regex(result.stderr, /\nUsage: boxwright render <image> -o\|--out DIR/);
});

test('no command prints the usage on stderr and exits 2', async (t) => {
  const result = await cli([]);
  t.is(result.exitCode, 2);
  t.is(result.stdout, '');
  t.regex(result.stderr, /^Usage: boxwright/);
});

test('render -o DIR -- <image> renders the image named after --', async (t) => {
  const out = path.join(temp.dir, 'dashdash');
  const result = await cli(['render', '-o', out, '-b', 'debian-12', '--', 'images/foobar-web']);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^[0-9a-f]{64}$/);
  t.true(existsSync(path.join(out, 'build.pkr.json')));
});

test('publish --registry without a token fails before reading or hashing the box', async (t) => {
  // The "box" is a FIFO whose writing end the test holds: if the CLI opens the box, the test's
  // open completes (and closes at once, so the CLI is not left waiting).
  const dir = path.join(temp.dir, 'fifo-box');
  await mkdir(dir);
  const fifo = path.join(dir, 'foobar-web-1.0.0.libvirt.box');
  await execa('mkfifo', [fifo]);
  let openedByCli = false;
  let done = false;
  const writer = open(fifo, 'w').then(async (handle) => {
    if (!done) openedByCli = true;
    await handle.close();
  });
  const result = await cli(['publish', dir, '--registry', 'vagrant-cloud', '--box', 'acme/foobar-web'], {
    env: { VAGRANT_CLOUD_TOKEN: '', HCP_CLIENT_ID: '', HCP_CLIENT_SECRET: '' },
  });
  done = true;
  closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)); // lets the test's own open finish
  await writer;
  t.false(openedByCli, 'the box was opened before the token was checked');
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /VAGRANT_CLOUD_TOKEN/);
});

test('check of a folder whose build-manifest.json is corrupt names the file and the fix, exit 2', async (t) => {
  const dir = path.join(temp.dir, 'corrupt-manifest');
  await mkdir(dir);
  const manifest = path.join(dir, 'build-manifest.json');
  await writeFile(manifest, '{ "format": 1, "box": ');
  const result = await cli(['check', dir]);
  t.is(result.exitCode, 2);
  t.true(result.stderr.includes(manifest), result.stderr);
  t.regex(result.stderr, /not valid JSON/);
  t.regex(result.stderr, /rebuild the box \(boxwright build/);
  t.notRegex(result.stderr, /at JSON\.parse|SyntaxError/);
});

test('check of a manifest without the fields of a build names the file, exit 2', async (t) => {
  const dir = path.join(temp.dir, 'not-a-manifest');
  await mkdir(dir);
  await writeFile(path.join(dir, 'build-manifest.json'), '{"hello": "world"}');
  const result = await cli(['check', dir]);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /build-manifest\.json is not a build manifest/);
});

/** Every upper-case environment variable lib/ reads (process.env.X, env.X, env['X']). */
async function envVarsReadByLib(): Promise<Set<string>> {
  const names = new Set<string>();
  const lib = path.join(repoRoot, 'lib');
  for (const entry of await readdir(lib, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const source = await readFile(path.join(entry.parentPath, entry.name), 'utf8');
    for (const m of source.matchAll(/\b(?:process\.env|env)(?:\.([A-Z][A-Z0-9_]+)|\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\])/g)) names.add(m[1] ?? m[2] ?? '');
  }
  names.delete('PATH');
  return names;
}

test('every environment variable lib/ reads is listed in the help of a command', async (t) => {
  const helps = Object.entries(COMMANDS).map(([name, command]) => helpText(name, command)).join('\n');
  const read = await envVarsReadByLib();
  t.true(read.has('PACKER_PATH') && read.has('BOXWRIGHT_CACHE'), 'the scan finds what lib reads');
  for (const name of read) t.true(helps.includes(name), `${name} is read by lib/ but no help lists it`);
});

const expectedEnv: Record<string, string[]> = {
  render: ['BOXWRIGHT_CACHE'],
  validate: ['PACKER_PATH', 'BOXWRIGHT_CACHE'],
  build: ['PACKER_PATH', 'BOXWRIGHT_CACHE', 'TERM'],
  lock: ['PACKER_PATH', 'BOXWRIGHT_CACHE'],
  publish: ['VAGRANT_CLOUD_TOKEN', 'HCP_CLIENT_ID', 'HCP_CLIENT_SECRET', 'BOXWRIGHT_PUBLISH_TOKEN', 'BOXWRIGHT_PUBLISH_USER', 'BOXWRIGHT_PUBLISH_PASSWORD', 'AWS_ENDPOINT_URL_S3'],
};

for (const [name, command] of Object.entries(COMMANDS)) {
  test(`${name}'s help lists the environment variables it reads and the exit codes`, (t) => {
    const help = helpText(name, command);
    t.regex(help, /\nEnvironment:\n/);
    for (const variable of ['BOXWRIGHT_DEBUG', ...(expectedEnv[name] ?? [])]) t.regex(help, new RegExp(`^  ${variable} `, 'm'), variable);
    t.regex(help, /143/);
  });

  const usageText = command.help.split('\n\n')[0] ?? '';
  const shortened = Object.entries(SHORT_FLAGS).filter(([long]) => long !== 'update' && new RegExp(`--${long}(?![\\w-])`).test(usageText));
  if (shortened.length === 0) continue;
  test(`${name}'s help shows the short form of each of its flags that has one`, (t) => {
    for (const [long, short] of shortened) t.true(usageText.includes(`-${short}|--${long}`), `${name}: -${short}|--${long}`);
  });
}
