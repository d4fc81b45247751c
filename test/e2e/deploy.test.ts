/**
 * Zero-downtime deploy on the single-server lab: `vagrant up` of the built box in a private network
 * namespace (own libvirtd), a bounded load through nginx from inside the namespace, and under it
 * `boxwright deploy` of a changed app, then `boxwright deploy --rollback`. Every request must
 * succeed, and the load must see both releases.
 *
 * Runs with BOXWRIGHT_E2E=1, as root (about 3 minutes under TCG); the box is BOXWRIGHT_BOX_FILE, or else the stack box the
 * e2e build makes (cached in out/e2e-chroot).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundleApp } from '../../lib/render/app-bundle.js';
import { changedImage, RELEASE_HEADER, startLab, waitForSite, type RunningLab } from './lab-run.js';
import { startLoad, type LoadResult } from './load.js';
import { buildStack } from './support.js';

const boxFile = process.env.BOXWRIGHT_BOX_FILE;
const enabled = process.env.BOXWRIGHT_E2E === '1' && process.getuid?.() === 0;
const e2e = enabled ? test.serial : test.skip;

const IP = process.env.BOXWRIGHT_E2E_IP ?? '192.168.56.10';

/** Runs the CLI inside the namespace (where the lab's SSH addresses are) under a fresh load. */
async function underLoad(run: RunningLab, args: string[]) {
  const load = startLoad(run.ns.prefix, `http://${IP}/`, { host: 'www.foobar.com', maxSeconds: 900, countHeader: RELEASE_HEADER, connections: 4, pauseMs: 25 });
  spawnSync('sleep', ['3']);
  const started = Date.now();
  const cli = run.cli(['deploy', ...args, '--lab', run.lab.dir, '--json']);
  const seconds = (Date.now() - started) / 1000;
  spawnSync('sleep', ['3']);
  const seen: LoadResult = await load.stop();
  return { load: seen, seconds, cli };
}

const brief = (load: LoadResult) => JSON.stringify({ ok: load.ok, failed: load.failed, errors: load.errors, byHeader: load.byHeader, byStatus: load.byStatus });

e2e('[e2e] boxwright deploy and --rollback under load on the single-server lab fail no request', async (t) => {
  const box = boxFile ?? (await buildStack('chroot', (line) => t.log(line))).box;
  const run = startLab({ hosts: '127.0.0.1\tlocalhost\n', ip: IP });
  t.teardown(() => run.teardown());

  t.is(run.inNs('vagrant', ['box', 'add', '--name', 'foobar-web', resolve(box)]).status, 0);
  const up = run.inNs('vagrant', ['up', '--provider=libvirt'], 1_800_000);
  t.is(up.status, 0, up.out.slice(-4000));
  if (up.status !== 0) return;
  waitForSite(run);

  // The bundle is made on the host, as a build makes it (the namespace has no registry to reach).
  const image = changedImage(dirname(run.lab.dir), 'two');
  await bundleApp({ imageDir: image, source: 'app' });

  const deploy = await underLoad(run, [image]);
  t.is(deploy.cli.status, 0, deploy.cli.out);
  const result = JSON.parse(deploy.cli.stdout.trim().split('\n').at(-1) ?? '{}') as { type: string; release: string; machines: { machine: string; release: string }[] };
  t.is(result.type, 'result');
  t.deepEqual(result.machines.map((m) => [m.machine, m.release]), [['default', result.release]]);
  t.log(`deploy: ${deploy.seconds.toFixed(1)} s; load: ${brief(deploy.load)}`);
  t.is(deploy.load.failed, 0, `failed requests during the deploy:\n${deploy.load.output}`);
  t.true((deploy.load.byHeader['-'] ?? 0) > 0 && (deploy.load.byHeader.two ?? 0) > 0, 'the load saw the old and then the new release');
  for (let i = 0; i < 6; i++) t.regex(run.curl(['-D', '-', '-o', '/dev/null']).out, /x-app-release: two/i, 'every instance serves the new release');

  const rollback = await underLoad(run, ['--rollback']);
  t.is(rollback.cli.status, 0, rollback.cli.out);
  t.log(`rollback: ${rollback.seconds.toFixed(1)} s; load: ${brief(rollback.load)}`);
  t.is(rollback.load.failed, 0, `failed requests during the rollback:\n${rollback.load.output}`);
  t.true((rollback.load.byHeader.two ?? 0) > 0 && (rollback.load.byHeader['-'] ?? 0) > 0, 'the load saw the switch back');
  for (let i = 0; i < 6; i++) t.notRegex(run.curl(['-D', '-', '-o', '/dev/null']).out, /x-app-release/i, 'every instance serves the first release again');
  if (process.env.BOXWRIGHT_DEPLOY_FIGURES) {
    writeFileSync(process.env.BOXWRIGHT_DEPLOY_FIGURES, `${JSON.stringify({ deploySeconds: deploy.seconds, deployFailed: deploy.load.failed, deployRequests: deploy.load.responses, rollbackSeconds: rollback.seconds, rollbackFailed: rollback.load.failed })}\n`);
  }
  console.log(`deploy e2e: deploy ${deploy.seconds.toFixed(1)} s (${deploy.load.ok} requests, ${deploy.load.failed} failed), rollback ${rollback.seconds.toFixed(1)} s (${rollback.load.ok} requests, ${rollback.load.failed} failed)`);
});
