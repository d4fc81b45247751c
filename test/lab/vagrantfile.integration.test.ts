import test from 'ava';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../../lib/image/defaults.js';
import type { ImageSpec } from '../../lib/image/types.js';
import { labFileFor, writeLabFile } from '../../lib/lab/lab-file.js';
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

vagrantTest('vagrant validate passes with the lab.json a build writes, and uses its values as written', async (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const spec: ImageSpec = { ...DEFAULTS, name: 'foobar-web', version: '1.0.0', dir: '/img', aliases: ['foobar.com'] };
  const out = join(lab.dir, 'out');
  await writeLabFile(out, labFileFor(spec, { boxPath: join(out, 'foobar-web-1.0.0.libvirt.box'), provider: 'libvirt', accelerator: 'kvm' }));
  const r = run('vagrant', ['validate'], { cwd: lab.dir, env: cleanEnv({ VAGRANT_HOME: lab.vagrantHome, BOXWRIGHT_DEBUG: '1' }) });
  t.is(r.status, 0, r.stderr);
  t.like(debugSettings(r.stderr), {
    box_name: 'foobar-web', box_url: `file://${join(out, 'foobar-web-1.0.0.libvirt.box')}`, aliases: ['foobar.com'],
    effective_accelerator: 'kvm', libvirt: { driver: 'kvm', cpu_mode: 'host-passthrough', cpu_model: null },
  });
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

vagrantTest('vagrant up refuses a hostname the hosts file maps to another address, before any box is fetched', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const hosts = join(lab.dir, 'hosts');
  writeFileSync(hosts, '127.0.0.1\tlocalhost\n10.9.9.9 www.foobar.com\n');
  const r = vagrant(lab, ['up', '--provider=libvirt'], {
    BOXWRIGHT_BOX_URL: `file://${join(lab.dir, 'missing.box')}`,
    BOXWRIGHT_HOSTS_FILE: hosts,
    BOXWRIGHT_HOSTS_PLUGIN: 'none',
    VAGRANT_SERVER_URL: 'http://127.0.0.1:9',
  });
  t.not(r.status, 0);
  t.true(r.stderr.includes(`www.foobar.com is already mapped to 10.9.9.9 by ${hosts} line 2: "10.9.9.9 www.foobar.com"`), r.stderr);
  t.notRegex(r.stdout, /missing\.box|Downloading|Adding box/, 'refused before the box is looked at');
  t.notRegex(r.stderr, /\.rb:\d+:in /, 'no Ruby backtrace');
});
