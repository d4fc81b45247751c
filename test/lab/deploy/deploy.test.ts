import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { deployApp, releaseId } from '../../../lib/lab/deploy/deploy.js';
import type { LabSsh, SshResult } from '../../../lib/lab/ssh.js';
import { loadImage } from '../../../lib/image/load.js';
import { bundleApp } from '../../../lib/render/app-bundle.js';
import { isBoxwrightError } from '../../../lib/errors.js';
import { imageDir } from '../../provisioners/helpers.js';

interface Call { machine: string; command: string; stdinFile?: string }

/** A lab stand-in: records each remote command and answers like boxwright-release would. */
function fakeLab(names: string[], answer: (call: Call, id: string) => SshResult) {
  const calls: Call[] = [];
  let closed = false;
  const open = async (): Promise<LabSsh> => ({
    dir: '/lab',
    hosts: names.map((name) => ({ name, hostName: '10.0.0.1', port: 22, user: 'vagrant' })),
    async run(machine, command, options = {}) {
      const call: Call = { machine, command: command.join(' '), ...(options.inputFile ? { stdinFile: options.inputFile } : {}) };
      calls.push(call);
      const id = call.stdinFile ? await releaseId(call.stdinFile) : (command.at(-1) ?? '');
      return answer(call, id);
    },
    async close() { closed = true; },
  });
  return { calls, open, closed: () => closed };
}

const status = (id: string, previous = 'aaaaaaaaaaaaaaaa') => JSON.stringify({
  current: id, previous, releases: [previous, id],
  instances: [3000, 3001].map((port) => ({ port, unit: `boxwright-app@${port}.service`, active: 'active', release: id })),
});

function healthyRelease(call: Call, id: string): SshResult {
  if (call.command.endsWith(' install')) return { stdout: `${id}`, stderr: '', exitCode: 0 };
  if (call.command.includes(' deploy ')) return { stdout: status(id), stderr: '', exitCode: 0 };
  if (call.command.endsWith(' rollback')) return { stdout: status('aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'), stderr: '', exitCode: 0 };
  const rotation = /boxwright-role (drain|ready) (app\d+)$/.exec(call.command);
  if (rotation) return { stdout: JSON.stringify({ server: rotation[2], status: rotation[1] === 'drain' ? 'DRAIN' : 'UP', sessions: 0 }), stderr: '', exitCode: 0 };
  return { stdout: '', stderr: 'unexpected', exitCode: 2 };
}

test('deploy ships the bundle a build makes to every app machine, then drains each on every load balancer, switches it and takes it back, one after the other', async (t) => {
  const spec = await loadImage(imageDir);
  const bundle = await bundleApp({ imageDir, source: 'app' });
  const id = await releaseId(bundle.path);
  const lab = fakeLab(['lb1', 'lb2', 'app1', 'app2', 'db1', 'db2'], healthyRelease);
  const steps: string[] = [];
  const result = await deployApp(spec, { labDir: '/lab', openSsh: lab.open, onEvent: (e) => steps.push(`${e.step}:${e.machine ?? ''}`) });
  t.is(result.release, id);
  t.deepEqual(lab.calls.map((c) => `${c.machine} ${c.command}`), [
    'app1 sudo -n /usr/local/sbin/boxwright-release install',
    'app2 sudo -n /usr/local/sbin/boxwright-release install',
    'lb1 sudo -n /usr/local/sbin/boxwright-role drain app1',
    'lb2 sudo -n /usr/local/sbin/boxwright-role drain app1',
    `app1 sudo -n /usr/local/sbin/boxwright-release deploy ${id}`,
    'lb1 sudo -n /usr/local/sbin/boxwright-role ready app1',
    'lb2 sudo -n /usr/local/sbin/boxwright-role ready app1',
    'lb1 sudo -n /usr/local/sbin/boxwright-role drain app2',
    'lb2 sudo -n /usr/local/sbin/boxwright-role drain app2',
    `app2 sudo -n /usr/local/sbin/boxwright-release deploy ${id}`,
    'lb1 sudo -n /usr/local/sbin/boxwright-role ready app2',
    'lb2 sudo -n /usr/local/sbin/boxwright-role ready app2',
  ]);
  t.is(lab.calls[0]!.stdinFile, bundle.path, 'the bundle goes over stdin, from the build\'s cache');
  t.deepEqual(await readFile(lab.calls[0]!.stdinFile!), await readFile(bundle.path));
  t.deepEqual(steps, ['bundle:', 'upload:app1', 'upload:app2', 'drain:app1', 'switch:app1', 'ready:app1', 'machine-done:app1',
    'drain:app2', 'switch:app2', 'ready:app2', 'machine-done:app2', 'done:']);
  t.deepEqual(result.machines.map((m) => [m.machine, m.release, m.previous]), [['app1', id, 'aaaaaaaaaaaaaaaa'], ['app2', id, 'aaaaaaaaaaaaaaaa']]);
  t.true(lab.closed());
});

test('a machine whose switch fails stops the deploy before the next machine is touched', async (t) => {
  const spec = await loadImage(imageDir);
  const lab = fakeLab(['app1', 'app2'], (call, id) => (call.command.includes(' deploy ') && call.machine === 'app1'
    ? { stdout: status('aaaaaaaaaaaaaaaa'), stderr: 'boxwright-release: boxwright-app@3000.service is not healthy on release x\ngoing back', exitCode: 1 }
    : healthyRelease(call, id)));
  const error = await t.throwsAsync(deployApp(spec, { openSsh: lab.open }));
  t.true(isBoxwrightError(error, 'E_DEPLOY'));
  t.regex(error!.message, /app1: release [0-9a-f]{16} failed and the machine went back to its previous release:\n.*not healthy/);
  t.false(lab.calls.some((c) => c.machine === 'app2' && c.command.includes(' deploy ')), 'app2 was not switched');
  t.true(lab.closed());
});

test('a machine whose switch fails is taken back into rotation on every load balancer before the deploy stops', async (t) => {
  const spec = await loadImage(imageDir);
  const lab = fakeLab(['lb1', 'lb2', 'app1', 'app2'], (call, id) => (call.command.includes(' deploy ') && call.machine === 'app1'
    ? { stdout: status('aaaaaaaaaaaaaaaa'), stderr: 'not healthy', exitCode: 1 }
    : healthyRelease(call, id)));
  const error = await t.throwsAsync(deployApp(spec, { openSsh: lab.open }));
  t.true(isBoxwrightError(error, 'E_DEPLOY'));
  t.deepEqual(lab.calls.filter((c) => c.command.includes('boxwright-role')).map((c) => `${c.machine} ${c.command.split(' ').slice(-2).join(' ')}`),
    ['lb1 drain app1', 'lb2 drain app1', 'lb1 ready app1', 'lb2 ready app1']);
});

test('a load balancer that cannot drain stops the deploy before the machine is switched, and nothing stays drained', async (t) => {
  const spec = await loadImage(imageDir);
  const lab = fakeLab(['lb1', 'lb2', 'app1', 'app2'], (call, id) => (call.machine === 'lb2' && call.command.endsWith('drain app1')
    ? { stdout: '', stderr: "boxwright-role: HAProxy's runtime API (/run/haproxy/admin.sock): connect ENOENT", exitCode: 1 }
    : healthyRelease(call, id)));
  const error = await t.throwsAsync(deployApp(spec, { openSsh: lab.open }));
  t.true(isBoxwrightError(error, 'E_DEPLOY'));
  t.regex(error!.message, /^lb2: draining app1 failed \(exit 1\): .*runtime API/);
  t.false(lab.calls.some((c) => c.command.includes(' deploy ')), 'no machine was switched');
  t.deepEqual(lab.calls.filter((c) => c.command.endsWith('ready app1')).map((c) => c.machine), ['lb1', 'lb2']);
});

test('a machine that reports the wrong release after a successful switch fails the deploy', async (t) => {
  const spec = await loadImage(imageDir);
  const lab = fakeLab(['default'], (call, id) => (call.command.includes(' deploy ')
    ? { stdout: JSON.stringify({ ...JSON.parse(status(id)), instances: [{ port: 3000, unit: 'u', active: 'active', release: 'cccccccccccccccc' }] }), stderr: '', exitCode: 0 }
    : healthyRelease(call, id)));
  const error = await t.throwsAsync(deployApp(spec, { openSsh: lab.open }));
  t.true(isBoxwrightError(error, 'E_DEPLOY'));
  t.regex(error!.message, /default: instances not on release/);
});

test('rollback ships nothing and puts every app machine back on its previous release', async (t) => {
  const lab = fakeLab(['default'], healthyRelease);
  const result = await deployApp(undefined, { rollback: true, openSsh: lab.open });
  t.deepEqual(lab.calls.map((c) => c.command), ['sudo -n /usr/local/sbin/boxwright-release rollback']);
  t.true(result.rollback);
  t.is(result.release, 'aaaaaaaaaaaaaaaa');
});
