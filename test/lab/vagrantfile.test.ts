import test from 'ava';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, hasCommand, makeTempLab, run, type TempLab } from './helpers.js';

const vagrantTest = hasCommand('vagrant') ? test : test.skip;

/** A fake VBoxManage that only answers --version, so Vagrant deems VirtualBox usable. */
function fakeVirtualBox(): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bw-fake-vbox-'));
  writeFileSync(join(dir, 'VBoxManage'), '#!/bin/sh\n[ "$1" = --version ] && echo 7.0.14r161095\nexit 0\n');
  chmodSync(join(dir, 'VBoxManage'), 0o755);
  return { path: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function vagrant(lab: TempLab, args: string[], env: Record<string, string>, pathPrefix?: string) {
  const base = cleanEnv({ VAGRANT_HOME: lab.vagrantHome, BOXWRIGHT_BOX: 'fake/not-downloaded', BOXWRIGHT_DEBUG: '1', ...env });
  if (pathPrefix) base.PATH = `${pathPrefix}:${base.PATH ?? ''}`;
  return run('vagrant', args, { cwd: lab.dir, env: base });
}

/** The settings line the Vagrantfile prints to stderr when BOXWRIGHT_DEBUG=1. */
function debugSettings(stderr: string): Record<string, any> {
  const line = stderr.split('\n').find((l) => l.startsWith('boxwright lab: {'));
  if (!line) throw new Error(`no settings line in:\n${stderr}`);
  return JSON.parse(line.slice('boxwright lab: '.length)) as Record<string, any>;
}

vagrantTest('vagrant validate passes for libvirt with the kvm driver', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const r = vagrant(lab, ['validate'], { BOXWRIGHT_PROVIDER: 'libvirt', BOXWRIGHT_ACCELERATOR: 'kvm' });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /validated successfully/);
  t.deepEqual(debugSettings(r.stderr).libvirt, { driver: 'kvm', cpu_mode: 'host-passthrough', cpu_model: null });
});

vagrantTest('vagrant validate passes for libvirt with the qemu driver under TCG', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const r = vagrant(lab, ['validate'], { BOXWRIGHT_PROVIDER: 'libvirt', BOXWRIGHT_ACCELERATOR: 'tcg', BOXWRIGHT_CPU_MODEL: 'qemu64' });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(debugSettings(r.stderr).libvirt, { driver: 'qemu', cpu_mode: 'custom', cpu_model: 'qemu64' });
});

vagrantTest('vagrant validate passes for virtualbox', (t) => {
  const lab = makeTempLab();
  const vbox = fakeVirtualBox();
  t.teardown(() => {
    lab.cleanup();
    vbox.cleanup();
  });
  const r = vagrant(lab, ['validate'], { BOXWRIGHT_PROVIDER: 'virtualbox', BOXWRIGHT_IP: '192.168.60.10' }, vbox.path);
  t.is(r.status, 0, r.stderr);
  t.is(debugSettings(r.stderr).provider, 'virtualbox');
});

vagrantTest('vagrant validate passes with the settings of a built out/lab.json', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  lab.writeJson('out/lab.json', {
    box: { name: 'foobar-web', path: 'foobar-web-1.0.0.libvirt.box', provider: 'libvirt' },
    hostname: 'www.foobar.com', aliases: ['foobar.com'], ip: '192.168.56.10', cpus: 2, memory: 1024, accelerator: 'tcg',
  });
  const r = run('vagrant', ['validate'], { cwd: lab.dir, env: cleanEnv({ VAGRANT_HOME: lab.vagrantHome, BOXWRIGHT_DEBUG: '1' }) });
  t.is(r.status, 0, r.stderr);
  t.like(debugSettings(r.stderr), { box_name: 'foobar-web', box_url: `file://${join(lab.dir, 'out', 'foobar-web-1.0.0.libvirt.box')}`, aliases: ['foobar.com'] });
});

const refused: Array<[string, Record<string, string>, RegExp]> = [
  ['a malformed IP', { BOXWRIGHT_IP: '192.168.56.300' }, /ip "192\.168\.56\.300" is not an IPv4 address/],
  ['a malformed hostname', { BOXWRIGHT_HOSTNAME: 'www.foo_bar.com' }, /hostname "www\.foo_bar\.com" is not a valid host name \(RFC 1123\)/],
  ['an IP outside VirtualBox\'s host-only range', { BOXWRIGHT_PROVIDER: 'virtualbox', BOXWRIGHT_IP: '10.0.0.10' }, /outside VirtualBox's host-only range 192\.168\.56\.0\/21/],
];

for (const [what, env, message] of refused) {
  vagrantTest(`vagrant validate exits non-zero with a clear message for ${what}`, (t) => {
    const lab = makeTempLab();
    t.teardown(lab.cleanup);
    const r = vagrant(lab, ['validate'], env);
    t.not(r.status, 0);
    t.regex(r.stderr, message);
    t.notRegex(r.stderr, /\.rb:\d+:in /, 'no Ruby backtrace');
  });
}

vagrantTest('vagrant status refuses an out-of-range IP when --provider=virtualbox is given', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const r = vagrant(lab, ['status', '--provider=virtualbox'], { BOXWRIGHT_IP: '172.16.0.10' });
  t.not(r.status, 0);
  t.regex(r.stderr, /outside VirtualBox's host-only range/);
});

test('the host trigger adds and removes the block and keeps the rest of the hosts file', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const hosts = join(lab.dir, 'hosts');
  const original = '127.0.0.1\tlocalhost\r\n# mine\r\n10.0.0.1 other';
  writeFileSync(hosts, original);
  const env = cleanEnv({ BOXWRIGHT_HOSTS_FILE: hosts, BOXWRIGHT_ALIASES: 'foobar.com' });
  const add = run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'host-file', 'add', lab.dir], { env });
  t.is(add.status, 0, add.stderr);
  t.is(
    readFileSync(hosts, 'utf8'),
    `${original}\r\n# BEGIN boxwright www.foobar.com\r\n192.168.56.10 www.foobar.com foobar.com\r\n# END boxwright www.foobar.com`,
  );
  run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'host-file', 'add', lab.dir], { env });
  t.is(readFileSync(hosts, 'utf8').match(/# BEGIN boxwright/g)?.length, 1, 'adding twice keeps one block');
  const remove = run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'host-file', 'remove', lab.dir], { env });
  t.is(remove.status, 0, remove.stderr);
  t.is(readFileSync(hosts, 'utf8'), original);
});

test('the host trigger prints the line to add by hand when the hosts file cannot be written', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const env = cleanEnv({ BOXWRIGHT_HOSTS_FILE: '/nonexistent-dir/hosts', BOXWRIGHT_IP: '192.168.56.11' });
  const r = run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'host-file', 'add', lab.dir], { env });
  t.is(r.status, 0);
  t.regex(r.stdout, /cannot write \/nonexistent-dir\/hosts\. .*by hand:\n {2}192\.168\.56\.11 www\.foobar\.com\n/);
});

test('the guest hosts file maps the names to the private IP and drops loopback claims on them', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const input = '127.0.0.1\tlocalhost\n127.0.1.1\twww.foobar.com www\n127.0.2.1 www.foobar.com keepme\n::1 localhost ip6-localhost\n';
  const env = cleanEnv({ BOXWRIGHT_ALIASES: 'foobar.com' });
  const r = run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'guest-hosts', lab.dir], { env, input });
  t.is(r.status, 0, r.stderr);
  t.is(
    r.stdout,
    '127.0.0.1\tlocalhost\n127.0.2.1\tkeepme\n::1 localhost ip6-localhost\n' +
      '# BEGIN boxwright www.foobar.com\n192.168.56.10 www.foobar.com www foobar.com\n# END boxwright www.foobar.com\n',
  );
  const again = run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'guest-hosts', lab.dir], { env, input: r.stdout });
  t.is(again.stdout, r.stdout, 'idempotent');
});
