import test from 'ava';
import { cleanEnv, makeTempLab, rubySettings, run } from './helpers.js';
import { join } from 'node:path';
import { DEFAULTS } from '../../lib/image/defaults.js';

const outLab = {
  box: { name: 'built-box', path: 'built-box-1.0.0.libvirt.box', provider: 'libvirt' },
  hostname: 'built.example.test',
  aliases: ['a.example.test'],
  ip: '192.168.56.30',
  cpus: 3,
  memory: 1536,
  accelerator: 'tcg',
};

test('with no lab file and no env the defaults apply, and they are the image spec\'s defaults', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const s = rubySettings(lab.dir);
  t.like(s, { box_name: 'foobar-web', hostname: 'www.foobar.com', ip: '192.168.56.10', cpus: 2, memory: 1024, provider: 'libvirt', accelerator: 'auto' });
  t.like(s, {
    hostname: DEFAULTS.hostname, aliases: DEFAULTS.aliases, ip: DEFAULTS.network.ip, cpus: DEFAULTS.vm.cpus,
    memory: DEFAULTS.vm.memory, provider: DEFAULTS.providers[0], accelerator: DEFAULTS.build.accelerator,
  });
  t.is(s.box_url, undefined);
});

test('out/lab.json from the build sets the box file, names, IP and resources', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  lab.writeJson('out/lab.json', outLab);
  const s = rubySettings(lab.dir);
  t.like(s, { box_name: 'built-box', hostname: 'built.example.test', aliases: ['a.example.test'], ip: '192.168.56.30', cpus: 3, memory: 1536, accelerator: 'tcg' });
  t.is(s.box_url, `file://${join(lab.dir, 'out', 'built-box-1.0.0.libvirt.box')}`);
});

test('lab.json beside the Vagrantfile overrides out/lab.json field by field', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  lab.writeJson('out/lab.json', outLab);
  lab.writeJson('lab.json', { ip: '192.168.56.40', memory: 2048 });
  const s = rubySettings(lab.dir);
  t.like(s, { ip: '192.168.56.40', memory: 2048, cpus: 3, box_name: 'built-box' });
  t.like(s.sources as object, { ip: join(lab.dir, 'lab.json'), cpus: join(lab.dir, 'out', 'lab.json') });
});

test('the file named by BOXWRIGHT_LAB overrides lab.json and env vars override everything', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  lab.writeJson('out/lab.json', outLab);
  lab.writeJson('lab.json', { ip: '192.168.56.40', memory: 2048 });
  lab.writeJson('other/custom.json', { ip: '192.168.56.50', cpus: 4, box: { name: 'other', path: 'x.box' } });
  const env = { BOXWRIGHT_LAB: join(lab.dir, 'other/custom.json'), BOXWRIGHT_MEMORY: '768' };
  const s = rubySettings(lab.dir, env);
  t.like(s, { ip: '192.168.56.50', cpus: 4, memory: 768, box_name: 'other', box_url: `file://${join(lab.dir, 'other', 'x.box')}` });
  t.like(s.sources as object, { memory: 'BOXWRIGHT_MEMORY' });
});

test('a box named in the env replaces the built box file as a whole', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  lab.writeJson('out/lab.json', outLab);
  const byName = rubySettings(lab.dir, { BOXWRIGHT_BOX: 'acme/foobar-web' });
  t.is(byName.box_name, 'acme/foobar-web');
  t.is(byName.box_url, undefined);
  const byUrl = rubySettings(lab.dir, { BOXWRIGHT_BOX_URL: 'http://127.0.0.1:8080/foobar-web/metadata.json' });
  t.is(byUrl.box_url, 'http://127.0.0.1:8080/foobar-web/metadata.json');
  t.is(byUrl.box_name, 'built-box');
});

test('the accelerator picks the libvirt driver and CPU model', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  t.deepEqual(rubySettings(lab.dir, { BOXWRIGHT_ACCELERATOR: 'tcg' }).libvirt, { driver: 'qemu', cpu_mode: 'custom', cpu_model: 'qemu64' });
  t.deepEqual(rubySettings(lab.dir, { BOXWRIGHT_ACCELERATOR: 'tcg', BOXWRIGHT_CPU_MODEL: 'Nehalem' }).libvirt, { driver: 'qemu', cpu_mode: 'custom', cpu_model: 'Nehalem' });
  t.deepEqual(rubySettings(lab.dir, { BOXWRIGHT_ACCELERATOR: 'kvm' }).libvirt, { driver: 'kvm', cpu_mode: 'host-passthrough', cpu_model: null });
});

test('an accelerator set in the env brings its own CPU model default, not the one the build resolved for TCG', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  lab.writeJson('out/lab.json', { ...outLab, format: 2, cpuModel: 'qemu64' });
  const s = rubySettings(lab.dir, { BOXWRIGHT_ACCELERATOR: 'kvm' });
  t.deepEqual(s.libvirt, { driver: 'kvm', cpu_mode: 'host-passthrough', cpu_model: null });
  t.like(s.sources as object, { accelerator: 'BOXWRIGHT_ACCELERATOR', cpu_model: 'default' });
});

test('a CPU model set in the env keeps the accelerator the build resolved', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  lab.writeJson('out/lab.json', { ...outLab, format: 2, cpuModel: 'qemu64' });
  const s = rubySettings(lab.dir, { BOXWRIGHT_CPU_MODEL: 'Nehalem' });
  t.deepEqual(s.libvirt, { driver: 'qemu', cpu_mode: 'custom', cpu_model: 'Nehalem' });
  t.like(s.sources as object, { accelerator: join(lab.dir, 'out', 'lab.json'), cpu_model: 'BOXWRIGHT_CPU_MODEL' });
});

test('the automatic accelerator avoids a nested kvm_pvm KVM', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const s = rubySettings(lab.dir, { BOXWRIGHT_ACCELERATOR: 'auto' });
  const pvm = run('test', ['-e', '/sys/module/kvm_pvm']).status === 0;
  const kvmUsable = run('sh', ['-c', 'test -r /dev/kvm && test -w /dev/kvm']).status === 0;
  t.is(s.effective_accelerator, kvmUsable && !pvm ? 'kvm' : 'tcg');
});

test('--provider on the command line decides the provider the IP is checked for', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const r = run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'settings', lab.dir, 'up', '--provider=virtualbox'], { env: cleanEnv({ BOXWRIGHT_IP: '10.0.0.5' }) });
  t.is(r.status, 2);
  t.regex(r.stderr, /outside VirtualBox's host-only range/);
});

const invalid: Array<[string, Record<string, string>, RegExp]> = [
  ['a malformed IP', { BOXWRIGHT_IP: '192.168.56' }, /ip "192\.168\.56" is not an IPv4 address \(from BOXWRIGHT_IP\)/],
  ['an IP with an octet above 255', { BOXWRIGHT_IP: '192.168.56.256' }, /is not an IPv4 address/],
  ['a network address as IP', { BOXWRIGHT_IP: '192.168.56.0' }, /cannot be a VM's address/],
  ['a hostname with an underscore', { BOXWRIGHT_HOSTNAME: 'www_foobar.com' }, /hostname "www_foobar\.com" is not a valid host name \(RFC 1123\)/],
  ['a hostname label starting with a dash', { BOXWRIGHT_HOSTNAME: '-www.foobar.com' }, /RFC 1123/],
  ['a hostname label longer than 63 characters', { BOXWRIGHT_HOSTNAME: `${'a'.repeat(64)}.com` }, /RFC 1123/],
  ['an invalid alias', { BOXWRIGHT_ALIASES: 'ok.test,bad..test' }, /aliases hold invalid host names/],
  ['an IP outside 192.168.56.0/21 on virtualbox', { BOXWRIGHT_PROVIDER: 'virtualbox', BOXWRIGHT_IP: '192.168.64.10' }, /outside VirtualBox's host-only range 192\.168\.56\.0\/21/],
  ['an unknown provider', { BOXWRIGHT_PROVIDER: 'hyperv' }, /provider is "hyperv", which is not supported/],
  ['an unknown accelerator', { BOXWRIGHT_ACCELERATOR: 'hvf' }, /accelerator is "hvf", which is not known/],
  ['zero memory', { BOXWRIGHT_MEMORY: '0' }, /memory must be a positive integer/],
  ['fractional cpus', { BOXWRIGHT_CPUS: '1.5' }, /cpus must be a positive integer/],
  ['localhost as hostname', { BOXWRIGHT_HOSTNAME: 'localhost' }, /hostname "localhost" is not a valid host name \(RFC 1123\): it is reserved for loopback \(from BOXWRIGHT_HOSTNAME\)/],
  ['localhost as an alias', { BOXWRIGHT_ALIASES: 'foobar.com,LOCALHOST' }, /aliases hold invalid host names \["LOCALHOST"\].*is reserved for loopback/],
  ['an all-numeric hostname such as 10.0.0.5', { BOXWRIGHT_HOSTNAME: '10.0.0.5' }, /ends in an all-numeric label/],
  ['a hostname with an all-numeric last label such as www.123', { BOXWRIGHT_HOSTNAME: 'www.123' }, /ends in an all-numeric label/],
  ['a hostname longer than 64 characters', { BOXWRIGHT_HOSTNAME: `${'a'.repeat(60)}.test.x` }, /longer than 64 characters, the most a VM hostname may have/],
  ['the broadcast address of the /24', { BOXWRIGHT_IP: '192.168.56.255' }, /192\.168\.56\.255 cannot be a VM's address: it is the broadcast address of its \/24/],
  ['a link-local IP', { BOXWRIGHT_IP: '169.254.10.10' }, /is a link-local address/],
  ['an IP with a leading zero', { BOXWRIGHT_IP: '192.168.056.10' }, /is not an IPv4 address/],
  ['a lab name with a space', { BOXWRIGHT_LAB_NAME: 'my lab' }, /name "my lab" is not 1-63 letters/],
  ['a missing BOXWRIGHT_LAB file', { BOXWRIGHT_LAB: '/nonexistent/lab.json' }, /BOXWRIGHT_LAB names \/nonexistent\/lab\.json, which does not exist/],
];

for (const [what, env, message] of invalid) {
  test(`the settings refuse ${what}`, (t) => {
    const lab = makeTempLab();
    t.teardown(lab.cleanup);
    const r = run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'settings', lab.dir], { env: cleanEnv(env) });
    t.is(r.status, 2);
    t.regex(r.stderr, message);
  });
}

test('an IP at the top of 192.168.56.0/21 is accepted on virtualbox', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  t.is(rubySettings(lab.dir, { BOXWRIGHT_PROVIDER: 'virtualbox', BOXWRIGHT_IP: '192.168.63.254' }).ip, '192.168.63.254');
});

test('a broken lab.json is named in the error', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  lab.writeJson('lab.json', { ip: 'x' });
  const r = run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'settings', lab.dir], { env: cleanEnv() });
  t.is(r.status, 2);
  t.true(r.stderr.includes(`(from ${join(lab.dir, 'lab.json')})`));
});
