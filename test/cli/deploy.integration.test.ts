import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/boxwright.js', import.meta.url));
const cli = (args: string[], cwd?: string) => execa('node', [bin, ...args], { reject: false, ...(cwd ? { cwd } : {}) });

test('deploy without an image or --rollback is a usage error (exit 2) that names both', async (t) => {
  const run = await cli(['deploy']);
  t.is(run.exitCode, 2);
  t.regex(run.stderr, /deploy needs an image folder .* \(or --rollback\)/);
});

test('deploy --help describes releases, the health check and --rollback', async (t) => {
  const run = await cli(['deploy', '--help']);
  t.is(run.exitCode, 0);
  t.regex(run.stdout, /boxwright deploy <image> \[--lab DIR\]/);
  t.regex(run.stdout, /--rollback/);
  t.regex(run.stdout, /\/healthz/);
});

test('deploy to a folder with no running lab fails (exit 1) and says to run vagrant up', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bw-nolab-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const run = await cli(['deploy', '--rollback', '--lab', dir]);
  t.is(run.exitCode, 1, run.stderr);
  t.regex(run.stderr, /boxwright deploy: (no running lab machine in .*vagrant up|cannot run vagrant)/);
});
