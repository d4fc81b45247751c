import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderImage } from '../../lib/render/render-image.js';
import { uncheckedDecisions } from '../../lib/verify/hardening-decisions.js';
import { bootDiskFor, canBootVms, type VmHandle } from '../helpers/vm.js';
import type { DebianBaseName } from '../../lib/plan/bases.js';
import { buildStack, counterOf, curlStack, diskOf, e2eEnabled, guest, installChecks, loadStackSpec, STACK_BASE, uploadTree } from './support.js';

const e2e = e2eEnabled && canBootVms() ? test.serial : test.serial.skip;

/**
 * A booted box, right after SSH answers (what `vagrant up` waits for): the very first request is
 * never a 502: it is 200, or, while the app still starts, nginx's 503 page with Retry-After.
 */
async function assertFirstRequestAfterSsh(t: import('ava').ExecutionContext, vm: VmHandle): Promise<void> {
  const first = await curlStack(vm, 'www.foobar.com', '/');
  t.log(`first request after SSH: ${first.status}`);
  t.not(first.status, '502', `the first request after SSH is a 502:\n${first.headers}`);
  t.not(first.status, '504');
  if (first.status !== '200') {
    t.is(first.status, '503', `GET / right after SSH → ${first.status}\n${first.headers}\n${first.body}`);
    t.regex(first.headers, /^retry-after: \d+\r?$/im, 'a 503 says when to retry');
  }
}

async function assertServesStack(t: import('ava').ExecutionContext, vm: VmHandle): Promise<void> {
  // Retried only for the case assertFirstRequestAfterSsh allows (the readiness check gave up).
  let first = await curlStack(vm, 'www.foobar.com', '/');
  for (let i = 0; i < 30 && first.status !== '200'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    first = await curlStack(vm, 'www.foobar.com', '/');
  }
  t.is(first.status, '200', `GET / → ${first.status}\n${first.headers}\n${first.body}`);
  const second = await curlStack(vm, 'www.foobar.com', '/');
  t.is(second.status, '200');
  t.true(counterOf(second.body) > counterOf(first.body), `counter should grow: ${counterOf(first.body)} → ${counterOf(second.body)}`);
  const health = await curlStack(vm, 'www.foobar.com', '/healthz');
  t.is(health.status, '200', health.body);
  const unknown = await curlStack(vm, 'unknown.example', '/');
  t.not(unknown.status, '200', 'an unknown Host must not be served the app');
  t.is(unknown.exitCode, 52, `nginx closes unknown Hosts without a reply (444): ${unknown.status} ${unknown.body}`);
}

async function assertChecksPass(t: import('ava').ExecutionContext, vm: VmHandle, kind: 'vm' | 'chroot', base: DebianBaseName = STACK_BASE): Promise<void> {
  const spec = await loadStackSpec();
  await installChecks(vm, spec, kind, base);
  const result = await vm.ssh('sudo bash /tmp/boxwright-checks/verify.sh', { timeoutMs: 300_000 });
  t.log(result.stdout);
  t.is(result.exitCode, 0, `in-image checks failed:\n${result.stdout.split('\n').filter((l) => l.startsWith('not ok')).join('\n')}\n${result.stderr}`);
  t.regex(result.stdout, /^ok - /m);
  t.notRegex(result.stdout, /^not ok/m);
  // Every Lynis suggestion recorded as adopted is kept by checks that passed here.
  const passed = result.stdout.split('\n').filter((line) => line.startsWith('ok - ')).map((line) => line.slice('ok - '.length));
  t.deepEqual(uncheckedDecisions(passed), []);
}

async function assertOsRelease(t: import('ava').ExecutionContext, vm: VmHandle, base: DebianBaseName): Promise<void> {
  const version = (await guest(vm, '. /etc/os-release && echo "$VERSION_ID $VERSION_CODENAME"')).trim();
  t.is(version, base === 'debian-13' ? '13 trixie' : '12 bookworm');
}

/** Boots a fresh VM from the built box and asserts what every boot must give: no 502 after SSH, the right OS. */
async function bootBuilt(t: import('ava').ExecutionContext, build: { box: string; size: number; cached: boolean }, base: DebianBaseName): Promise<VmHandle> {
  t.log(`box ${build.box}: ${(build.size / 1e6).toFixed(1)} MB${build.cached ? ' (cached)' : ''}`);
  const { disk, remove } = await diskOf(build.box);
  t.teardown(remove);
  const vm = await bootDiskFor(t, { disk, ip: '192.168.56.10' });
  t.log(`boot → ssh ${vm.bootMs} ms`);
  await assertFirstRequestAfterSsh(t, vm);
  await assertOsRelease(t, vm, base);
  return vm;
}

for (const kind of ['chroot', 'vm'] as const) {
  e2e(`[e2e] a ${kind}-built ${STACK_BASE} box serves www.foobar.com through nginx, the app and the database, and passes the in-image checks`, async (t) => {
    const build = await buildStack(kind, (line) => t.log(line));
    t.true(build.size > 0);
    const vm = await bootBuilt(t, build, STACK_BASE);
    await assertServesStack(t, vm);
    await assertChecksPass(t, vm, kind);

    // No secret in the box: the password made at first boot appears nowhere in the box file.
    const password = (await guest(vm, 'sudo cat /etc/boxwright/secrets/db-password')).trim();
    t.true(password.length >= 20, 'a password was generated at first boot');
    const grep = await execa('bash', ['-c', 'gzip -dc "$1" | grep -c -a -F -e "$2" || true', 'grep', build.box, password]);
    t.is(grep.stdout.trim(), '0', 'the password is not in the box');

    // A second provisioning run on the built image changes nothing.
    const spec = await loadStackSpec();
    const renderDir = await mkdtemp(path.join(tmpdir(), 'bw-rerun-'));
    t.teardown(() => rm(renderDir, { recursive: true, force: true }));
    const rendered = await renderImage(spec, { outDir: path.join(renderDir, 'build'), base: STACK_BASE, kind: 'vm', accelerator: 'tcg' });
    const before = await guest(vm, 'sudo bash /tmp/boxwright-checks/state.sh');
    await uploadTree(vm, rendered.dir, ['scripts', 'files', 'app.tar.gz'], '/tmp/boxwright');
    for (const script of rendered.plan.scripts.filter((s) => s.phase === 'stack').map((s) => s.path)) {
      await guest(vm, `sudo env DEBIAN_FRONTEND=noninteractive bash /tmp/boxwright/${script}`);
    }
    const after = await guest(vm, 'sudo bash /tmp/boxwright-checks/state.sh');
    t.is(after, before, 'a second provisioning run changed the image');
    await assertServesStack(t, vm);

    // Rebooting keeps the password and the stack comes back.
    await vm.ssh('sudo systemctl reboot', { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    let again = '';
    for (let i = 0; i < 60 && again === ''; i += 1) {
      const r = await vm.ssh('sudo cat /etc/boxwright/secrets/db-password', { timeoutMs: 15_000 });
      if (r.exitCode === 0) again = r.stdout.trim();
      else await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    t.is(again, password, 'the password survives a reboot');
    await assertFirstRequestAfterSsh(t, vm);
    await assertServesStack(t, vm);
  });
}

e2e('[e2e] a chroot-built debian-12 box (oldstable, still a base) serves the stack and passes the in-image checks', async (t) => {
  const build = await buildStack('chroot', (line) => t.log(line), 'debian-12');
  const vm = await bootBuilt(t, build, 'debian-12');
  await assertServesStack(t, vm);
  await assertChecksPass(t, vm, 'chroot', 'debian-12');
});

e2e('[e2e] two VMs booted from one box get different database passwords', async (t) => {
  const build = await buildStack('chroot', (line) => t.log(line));
  const { disk, remove } = await diskOf(build.box);
  t.teardown(remove);
  const one = await bootDiskFor(t, { disk, ip: '192.168.56.10' });
  const two = await bootDiskFor(t, { disk, ip: '192.168.56.11' });
  const read = async (vm: VmHandle): Promise<string> => {
    for (let i = 0; i < 60; i += 1) {
      const r = await vm.ssh('sudo cat /etc/boxwright/secrets/db-password', { timeoutMs: 15_000 });
      if (r.exitCode === 0 && r.stdout.trim() !== '') return r.stdout.trim();
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    throw new Error('no password after first boot');
  };
  const [a, b] = await Promise.all([read(one), read(two)]);
  t.not(a, b);
  t.not((await guest(one, 'cat /etc/machine-id')).trim(), (await guest(two, 'cat /etc/machine-id')).trim());
});

e2e(`[e2e] the chroot-built and the VM-built ${STACK_BASE} boxes hold the same packages`, async (t) => {
  const chroot = await buildStack('chroot', (line) => t.log(line));
  const vm = await buildStack('vm', (line) => t.log(line));
  const result = await execa('node', ['bin/boxwright.js', 'diff', chroot.manifestPath, vm.manifestPath], { reject: false, cwd: path.resolve('.') });
  t.log(result.stdout);
  t.is(result.exitCode, 0, result.stdout);
  const a = JSON.parse(await readFile(chroot.manifestPath, 'utf8')) as { packages: unknown[] };
  t.true(a.packages.length > 100);
});
