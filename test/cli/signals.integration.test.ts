/**
 * Exit codes and behaviour by signal, through `node bin/boxwright.js` (npx does not forward
 * signals). `build` runs a stand-in packer (test/cli/fixtures/fake-packer.sh) so the real
 * cancel path runs without a VM; `publish` waits on a local server that never answers.
 */
import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fakeBox } from '../publish/helpers.js';
import { tempRoot } from '../render/helpers.js';
import { BIN, cliEnv, FAKE_PACKER, repoRoot } from './helpers.js';
import { pidAlive } from '../../lib/util/pid.js';

const temp = await tempRoot('boxwright-cli-signals-');
test.after.always(() => temp.cleanup());

const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}


/** Starts a build whose packer is the stand-in in `mode`; resolves once that packer runs. */
async function startBuild(name: string, mode: 'wait' | 'ignore') {
  const out = path.join(temp.dir, name);
  const pidFile = path.join(temp.dir, `${name}.packer.pid`);
  const child = execa('node', [BIN, 'build', 'images/foobar-web', '-b', 'ubuntu-24.04', '-k', 'vm', '-o', out, '--packer', FAKE_PACKER], {
    cwd: repoRoot, reject: false, env: cliEnv({ FAKE_PACKER_MODE: mode, FAKE_PACKER_PIDFILE: pidFile }),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  await until('the stand-in packer to start', () => existsSync(pidFile) || child.exitCode !== null);
  await until('the build to reach the provision step', () => /provision/.test(stderr) || child.exitCode !== null);
  const packerPid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
  return { child, out, packerPid, stderr: () => stderr };
}

async function leftovers(out: string): Promise<string[]> {
  return (await readdir(out).catch(() => [])).filter((entry) => entry.startsWith('.boxwright-build-') || entry.endsWith('.box'));
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test(`a build ended by ${signal} stops packer, leaves nothing, and exits ${EXIT[signal]}`, async (t) => {
    const build = await startBuild(`cancel-${signal}`, 'wait');
    t.true(build.child.kill(signal));
    const result = await build.child;
    t.is(result.exitCode, EXIT[signal], build.stderr());
    t.regex(build.stderr(), new RegExp(`${signal}: cancelling`));
    t.false(pidAlive(build.packerPid), 'packer was stopped');
    t.deepEqual(await leftovers(build.out), [], 'no build folder and no box left');
  });
}

test('a second SIGTERM kills packer\'s process group at once while it ignores the first, removes the build folder, exit 143', async (t) => {
  const build = await startBuild('twice', 'ignore');
  t.teardown(() => {
    // Backstop only: the stand-in ignores SIGINT/SIGTERM; the CLI must have killed its group already.
    try { process.kill(-build.packerPid, 'SIGKILL'); } catch { /* gone */ }
  });
  build.child.kill('SIGTERM');
  await until('the first signal to be handled', () => /cancelling/.test(build.stderr()));
  await sleep(500);
  t.is(build.child.exitCode, null, 'the first signal waits for packer to clean up');
  t.true(pidAlive(build.packerPid), 'packer ignores SIGINT');
  const second = Date.now();
  build.child.kill('SIGTERM');
  const result = await build.child;
  t.is(result.exitCode, 143, build.stderr());
  t.true(Date.now() - second < 15_000, `exited ${Date.now() - second} ms after the second signal`);
  t.false(pidAlive(build.packerPid), 'packer was killed, not left running under PID 1');
  t.deepEqual(await leftovers(build.out), [], 'the build folder was removed');
});

/** A server that accepts requests and never answers them. */
async function silentServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((_req, res) => { count += 1; open.add(res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise<void>((resolve) => { for (const res of open) res.destroy(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`a command that starts no packer (publish waiting on its registry) exits at once on the first ${signal}, exit ${EXIT[signal]}`, async (t) => {
    const server = await silentServer();
    t.teardown(server.close);
    const src = path.join(temp.dir, `publish-${signal}`);
    await mkdir(src);
    await fakeBox(src);
    const child = execa('node', [BIN, 'publish', src, '--registry', 'vagrant-cloud', '--box', 'acme/foobar-web', '--api-url', server.url, '--version', '1.0.0'], {
      cwd: repoRoot, reject: false, env: cliEnv({ VAGRANT_CLOUD_TOKEN: 'test-token-not-real' }),
    });
    await until('publish to call the registry', () => server.requests() > 0 || child.exitCode !== null);
    t.is(child.exitCode, null, 'publish is waiting on the registry');
    const sent = Date.now();
    child.kill(signal);
    const result = await child;
    t.is(result.exitCode, EXIT[signal], result.stderr);
    t.true(Date.now() - sent < 10_000, `exited ${Date.now() - sent} ms after the signal`);
    t.notRegex(result.stderr, /test-token-not-real/);
  });
}
