import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { renderProvisioners, VARIANTS } from './helpers.js';

const ANALYZE = '/usr/bin/systemd-analyze';
/** Tests that need systemd-analyze are skipped (reported as skipped) where it is not installed. */
const withAnalyze = existsSync(ANALYZE) ? test : test.skip;
const MAX_EXPOSURE = 2.5;
const UNITS = ['boxwright-app@.service', 'boxwright-firstboot.service', 'boxwright-hostkeys.service'];

async function rendered(t: { teardown(fn: () => Promise<void>): void }, index = 0) {
  const r = await renderProvisioners(VARIANTS[index]!);
  t.teardown(() => rm(r.dir, { recursive: true, force: true }));
  return r;
}

withAnalyze('the units pass systemd-analyze verify', async (t) => {
  const r = await rendered(t);
  for (const unit of UNITS) {
    const result = await execa(ANALYZE, ['verify', '--man=no', path.join(r.dir, 'files/systemd', unit)], { reject: false });
    // The first-boot programs are installed by 70-firstboot.sh, so they cannot exist on this host.
    const complaints = result.stderr.split('\n')
      .filter((line) => line.trim() && !/Command \/usr\/local\/libexec\/boxwright\/boxwright-(firstboot|hostkeys|app-ready) is not executable/.test(line));
    t.deepEqual(complaints, [], `${unit}:\n${result.stderr}`);
    t.is(result.exitCode === 0 || complaints.length === 0, true);
  }
});

withAnalyze(`the app unit's systemd-analyze security exposure is at most ${MAX_EXPOSURE}`, async (t) => {
  const r = await rendered(t);
  const unit = path.join(r.dir, 'files/systemd/boxwright-app@.service');
  const result = await execa(ANALYZE, ['security', '--offline=yes', '--no-pager', unit], { reject: false });
  const score = Number(/Overall exposure level for .*: ([0-9.]+)/.exec(result.stdout)?.[1]);
  t.true(Number.isFinite(score), result.stdout + result.stderr);
  t.log(`exposure ${score}`);
  t.true(score <= MAX_EXPOSURE, `exposure ${score}`);
});

test('the app unit runs node directly as its own user with the password as a credential', async (t) => {
  const r = await rendered(t);
  const unit = await readFile(path.join(r.dir, 'files/systemd/boxwright-app@.service'), 'utf8');
  t.regex(unit, /^User=foobar$/m);
  t.regex(unit, /^ExecStart=\/usr\/bin\/node \/opt\/app\/current\/server\.js$/m);
  t.regex(unit, /^WorkingDirectory=\/opt\/app\/current$/m);
  t.regex(unit, /^Environment=PORT=%i$/m, 'the instance name is the port');
  t.regex(unit, /^LoadCredential=db-password:\/etc\/boxwright\/secrets\/db-password$/m);
  t.regex(unit, /^Environment=HOST=127\.0\.0\.1$/m);
  t.regex(unit, /^Restart=on-failure$/m);
  t.regex(unit, /^StartLimitBurst=\d+$/m);
  t.regex(unit, /^Requires=boxwright-firstboot\.service$/m);
  t.notRegex(unit, /^MemoryDenyWriteExecute=/m, 'V8 needs W+X memory');
  t.notRegex(unit, /^Environment=.*(PASS|SECRET)/im, 'no secret in the environment');
  for (const setting of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'PrivateDevices=yes',
    'ProtectKernelTunables=yes', 'ProtectKernelModules=yes', 'ProtectControlGroups=yes', 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    'RestrictNamespaces=yes', 'LockPersonality=yes', 'SystemCallFilter=@system-service', 'CapabilityBoundingSet=']) {
    t.regex(unit, new RegExp(`^${setting.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), setting);
  }
});

test('first boot runs after the database and before the app, for MySQL as for MariaDB', async (t) => {
  for (const [index, service] of [[0, 'mariadb'], [2, 'mysql']] as const) {
    const r = await rendered(t, index);
    const unit = await readFile(path.join(r.dir, 'files/systemd/boxwright-firstboot.service'), 'utf8');
    t.regex(unit, new RegExp(`^After=${service}\\.service$`, 'm'));
    t.regex(unit, new RegExp(`^Requires=${service}\\.service$`, 'm'));
    t.regex(unit, /^Before=boxwright-app@3000\.service boxwright-app@3001\.service$/m);
    t.regex(unit, /^Type=oneshot$/m);
  }
});

test('the host-key unit runs early, before sshd, and makes no RSA key', async (t) => {
  const r = await rendered(t);
  const unit = await readFile(path.join(r.dir, 'files/systemd/boxwright-hostkeys.service'), 'utf8');
  t.regex(unit, /^DefaultDependencies=no$/m);
  t.regex(unit, /^Before=ssh\.service /m);
  const program = await readFile(path.join(r.dir, 'files/firstboot/boxwright-hostkeys'), 'utf8');
  t.regex(program, /for type in ed25519 ecdsa; do/);
  t.notRegex(program, /rsa|ssh-keygen -A/i);
});

test('the host-key program makes each missing key once and keeps existing ones', async (t) => {
  const r = await rendered(t);
  const root = await mkdtemp(path.join(tmpdir(), 'bw-hostkeys-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(path.join(root, 'etc/ssh'), { recursive: true });
  const program = path.join(r.dir, 'files/firstboot/boxwright-hostkeys');
  const first = await execa('bash', [program], { env: { BOXWRIGHT_ROOT: root } });
  t.regex(first.stdout, /made .*ssh_host_ed25519_key/);
  t.regex(first.stdout, /made .*ssh_host_ecdsa_key/);
  const ed = await readFile(path.join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8');
  t.regex(ed, /^ssh-ed25519 /);
  // A half-written ECDSA key (no .pub) is made again; the Ed25519 key stays as it was.
  await rm(path.join(root, 'etc/ssh/ssh_host_ecdsa_key.pub'));
  const second = await execa('bash', [program], { env: { BOXWRIGHT_ROOT: root } });
  t.is(second.stdout.trim(), `boxwright-hostkeys: made ${root}/etc/ssh/ssh_host_ecdsa_key`);
  t.is(await readFile(path.join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8'), ed);
  t.deepEqual((await readdir(path.join(root, 'etc/ssh'))).sort(),
    ['ssh_host_ecdsa_key', 'ssh_host_ecdsa_key.pub', 'ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub']);
});
