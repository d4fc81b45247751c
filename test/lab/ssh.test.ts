import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { openLabSsh, parseSshConfig, runningMachines } from '../../lib/lab/ssh.js';
import { isBoxwrightError } from '../../lib/errors.js';

const SSH_CONFIG = `Host app1
  HostName 192.168.121.34
  User vagrant
  Port 22
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  IdentityFile /root/.vagrant.d/insecure_private_key
  LogLevel FATAL

Host lb1
  HostName 192.168.121.9
  User vagrant
  Port 2222
`;

test('vagrant ssh-config is read as its hosts with address, port and user', (t) => {
  t.deepEqual(parseSshConfig(SSH_CONFIG), [
    { name: 'app1', hostName: '192.168.121.34', port: 22, user: 'vagrant' },
    { name: 'lb1', hostName: '192.168.121.9', port: 2222, user: 'vagrant' },
  ]);
});

test('the running machines are read from vagrant status --machine-readable', (t) => {
  const out = '1700000000,db1,metadata,provider,libvirt\n1700000000,db1,state,shutoff\n1700000000,app1,state,running\n1700000000,app1,state-human-short,running\n1700000000,lb2,state,running\n';
  t.deepEqual(runningMachines(out), ['app1', 'lb2']);
});

/** Stand-ins for vagrant and ssh: vagrant prints SSH_CONFIG (or fails), ssh records its argv and stdin. */
async function fakes(t: { teardown(fn: () => Promise<void>): void }, vagrantOk = true) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bw-ssh-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const vagrant = path.join(dir, 'vagrant');
  const ssh = path.join(dir, 'ssh');
  await writeFile(path.join(dir, 'config.txt'), SSH_CONFIG);
  await writeFile(vagrant, vagrantOk
    ? `#!/bin/sh\nif [ "$1" = status ]; then printf '1,app1,metadata,provider,libvirt\\n1,app1,state,running\\n1,db1,state,shutoff\\n1,lb1,state,running\\n'; exit 0; fi\n`
      + `echo "$VAGRANT_CWD $*" > "${dir}/cwd"\ncat "${dir}/config.txt"\n`
    : '#!/bin/sh\necho "The provider for this Vagrant-managed machine is reporting that it is not yet ready for SSH." >&2\nexit 1\n');
  await writeFile(ssh, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/argv"\ncp "$2" "${dir}/config-seen"\ncat > "${dir}/stdin"\necho remote-out\nexit 3\n`);
  await chmod(vagrant, 0o755);
  await chmod(ssh, 0o755);
  return { dir, vagrant, ssh };
}

test('commands run as ssh -F <the lab\'s ssh-config> <machine>, with data on stdin and never in argv', async (t) => {
  const { dir, vagrant, ssh } = await fakes(t);
  const lab = await openLabSsh(dir, { vagrant, ssh, env: { PATH: process.env.PATH } });
  t.deepEqual(lab.hosts.map((h) => h.name), ['app1', 'lb1']);
  t.is((await readFile(path.join(dir, 'cwd'), 'utf8')).trim(), `${dir} ssh-config app1 lb1`, 'ssh-config of the running machines, for the lab folder');
  const result = await lab.run('app1', ['sudo', '-n', '/usr/local/sbin/boxwright-role', 'apply', "it's"], { input: 's3cret-value' });
  t.is(result.exitCode, 3);
  t.is(result.stdout, 'remote-out');
  const argv = (await readFile(path.join(dir, 'argv'), 'utf8')).split('\n');
  t.is(argv[0], '-F');
  t.true(argv.includes('app1'));
  t.is(argv.at(-2), "sudo -n /usr/local/sbin/boxwright-role apply 'it'\\''s'", 'one remote command line, quoted');
  t.false(argv.join(' ').includes('s3cret-value'));
  t.is(await readFile(path.join(dir, 'stdin'), 'utf8'), 's3cret-value');
  t.is(await readFile(path.join(dir, 'config-seen'), 'utf8'), SSH_CONFIG);
  await lab.close();
});

test('a lab that is not running is an E_LAB error naming vagrant\'s reason and the fix', async (t) => {
  const { dir, vagrant, ssh } = await fakes(t, false);
  const error = await t.throwsAsync(openLabSsh(dir, { vagrant, ssh, env: { PATH: process.env.PATH } }));
  t.true(isBoxwrightError(error, 'E_LAB'));
  t.regex(error!.message, /not yet ready for SSH.*vagrant up/);
});

test('a machine the lab does not run is refused before ssh is called', async (t) => {
  const { dir, vagrant, ssh } = await fakes(t);
  const lab = await openLabSsh(dir, { vagrant, ssh, env: { PATH: process.env.PATH } });
  t.teardown(() => lab.close());
  const error = await t.throwsAsync(lab.run('db9', ['true']));
  t.true(isBoxwrightError(error, 'E_LAB'));
  t.regex(error!.message, /no running machine db9; running: app1, lb1/);
});
