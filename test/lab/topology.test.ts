import test from 'ava';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, hasCommand, makeTempLab, rubySettings, run } from './helpers.js';

const vagrantTest = hasCommand('vagrant') ? test : test.skip;

interface Topology {
  oneAtATime: boolean;
  machines: { name: string; role: string; ip: string; memory: number }[];
  documents: { role: string; name: string; ip: string; vip: string; lbs: unknown[]; apps: { name: string; ip: string }[]; dbs: unknown[]; primary: string; secrets: Record<string, number> }[];
}

function topology(dir: string, env: Record<string, string> = {}): Topology {
  const r = run('ruby', [join(dir, 'vagrant', 'cli.rb'), 'topology', dir], { env: cleanEnv(env) });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Topology;
}

test('topology is single with two app servers by default, and ha and appServers come from env or lab.json', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  t.like(rubySettings(lab.dir), { topology: 'single', app_servers: 2 });
  t.like(rubySettings(lab.dir, { BOXWRIGHT_TOPOLOGY: 'ha', BOXWRIGHT_APP_SERVERS: '3' }), { topology: 'ha', app_servers: 3 });
  lab.writeJson('lab.json', { topology: 'ha', appServers: 4 });
  t.like(rubySettings(lab.dir), { topology: 'ha', app_servers: 4 });
});

test('a wrong topology or app server count is refused with the setting, its source and the fix', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const cli = join(lab.dir, 'vagrant', 'cli.rb');
  const bad = run('ruby', [cli, 'settings', lab.dir], { env: cleanEnv({ BOXWRIGHT_TOPOLOGY: 'cluster' }) });
  t.is(bad.status, 2);
  t.regex(bad.stderr, /topology is "cluster", which is not known \(from BOXWRIGHT_TOPOLOGY\)\. Use one of: single, ha\./);
  const many = run('ruby', [cli, 'settings', lab.dir], { env: cleanEnv({ BOXWRIGHT_APP_SERVERS: '0' }) });
  t.is(many.status, 2);
  t.regex(many.stderr, /app_servers must be a whole number from 1 to 9, got "0"/);
  const high = run('ruby', [cli, 'settings', lab.dir], { env: cleanEnv({ BOXWRIGHT_TOPOLOGY: 'ha', BOXWRIGHT_IP: '192.168.56.240' }) });
  t.is(high.status, 2);
  t.regex(high.stderr, /192\.168\.56\.240 leaves no room for the ha machines/);
});

test('the ha lab is db1, db2, app1..appN, lb1, lb2 around the VIP, each with the least memory its role needs', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const { machines } = topology(lab.dir, { BOXWRIGHT_TOPOLOGY: 'ha', BOXWRIGHT_APP_SERVERS: '3' });
  t.deepEqual(machines.map((m) => `${m.name} ${m.role} ${m.ip} ${m.memory}`), [
    'db1 db 192.168.56.21 512', 'db2 db 192.168.56.22 512',
    'app1 app 192.168.56.31 512', 'app2 app 192.168.56.32 512', 'app3 app 192.168.56.33 512',
    'lb1 lb 192.168.56.11 512', 'lb2 lb 192.168.56.12 512',
  ]);
});

test('each machine\'s role document names its peers, the VIP and the primary, and the lab secrets are made once, 0600', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const first = topology(lab.dir, { BOXWRIGHT_TOPOLOGY: 'ha' });
  const lb1 = first.documents.find((d) => d.name === 'lb1')!;
  t.like(lb1, { role: 'lb', ip: '192.168.56.11', vip: '192.168.56.10', primary: 'db1' });
  t.deepEqual(lb1.apps.map((a) => a.name), ['app1', 'app2']);
  t.deepEqual(lb1.secrets, { appDb: 40, replication: 40, vrrp: 40 });
  const file = join(lab.dir, '.vagrant', 'boxwright', 'secrets.json');
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(statSync(join(lab.dir, '.vagrant', 'boxwright')).mode & 0o777, 0o700);
  const secrets = readFileSync(file, 'utf8');
  topology(lab.dir, { BOXWRIGHT_TOPOLOGY: 'ha' });
  t.is(readFileSync(file, 'utf8'), secrets, 'the second up keeps the secrets');
  const values = Object.values(JSON.parse(secrets) as Record<string, string>);
  t.is(new Set(values).size, 3, 'three different secrets');
  lab.writeJson('.vagrant/boxwright/state.json', { primary: 'db2' });
  t.true(topology(lab.dir, { BOXWRIGHT_TOPOLOGY: 'ha' }).documents.every((d) => d.primary === 'db2'), 'a promoted db2 stays the primary');
});

vagrantTest('vagrant status of an ha lab lists all its machines, and appServers 3 adds app3', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const status = (servers: string) => run('vagrant', ['status', '--machine-readable'], { cwd: lab.dir, env: cleanEnv({ VAGRANT_HOME: lab.vagrantHome, BOXWRIGHT_BOX: 'fake/not-downloaded', BOXWRIGHT_TOPOLOGY: 'ha', BOXWRIGHT_APP_SERVERS: servers }) });
  const names = (out: string) => [...new Set(out.split('\n').map((l) => l.split(',')[1]).filter((n): n is string => !!n && n !== ''))];
  const two = status('2');
  t.is(two.status, 0, two.stderr);
  t.deepEqual(names(two.stdout), ['db1', 'db2', 'app1', 'app2', 'lb1', 'lb2']);
  t.deepEqual(names(status('3').stdout), ['db1', 'db2', 'app1', 'app2', 'app3', 'lb1', 'lb2']);
});

test('probe: six TCG guests booting at once timed out hostnamectl on lb1; under TCG the ha machines come up one after the other, with KVM in parallel', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  // Topology.define on a stand-in config that accepts every call: what it leaves in ENV for Vagrant.
  const define = (env: Record<string, string>) => run('ruby', ['-e', `
    require_relative ${JSON.stringify(join(lab.dir, 'vagrant', 'topology'))}
    config = Class.new(BasicObject) { def method_missing(*) = self; def respond_to_missing?(*) = true }.new
    Boxwright::Topology.define(config, Boxwright::Settings.load(${JSON.stringify(lab.dir)}, ENV, []))
    puts ENV.fetch('VAGRANT_NO_PARALLEL', 'unset')`], { env: cleanEnv({ BOXWRIGHT_TOPOLOGY: 'ha', ...env }) });
  t.is(topology(lab.dir, { BOXWRIGHT_TOPOLOGY: 'ha', BOXWRIGHT_ACCELERATOR: 'tcg' }).oneAtATime, true);
  t.is(topology(lab.dir, { BOXWRIGHT_TOPOLOGY: 'ha', BOXWRIGHT_ACCELERATOR: 'kvm' }).oneAtATime, false);
  const tcg = define({ BOXWRIGHT_ACCELERATOR: 'tcg' });
  t.is(tcg.stdout.trim(), 'yes', tcg.stderr);
  t.is(define({ BOXWRIGHT_ACCELERATOR: 'kvm' }).stdout.trim(), 'unset');
  t.is(define({ BOXWRIGHT_ACCELERATOR: 'tcg', VAGRANT_NO_PARALLEL: '' }).stdout.trim(), '', 'the user\'s own setting wins');
});
