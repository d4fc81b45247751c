/**
 * The real lab: boots a built libvirt box with `vagrant up` (TCG) inside a private network
 * namespace with its own libvirtd, then checks www.foobar.com answers over the managed hosts
 * block, and that `vagrant destroy` leaves the hosts file byte-identical.
 *
 * Runs only with BOXWRIGHT_E2E=1, as root; the box is BOXWRIGHT_BOX_FILE, or else the stack box the
 * e2e build makes (cached in out/e2e-chroot).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cleanEnv, makeTempLab, rubySettings } from '../lab/helpers.js';
import { startLabNetns } from './lab-netns.js';
import { buildStack } from './support.js';

const boxFile = process.env.BOXWRIGHT_BOX_FILE;
const enabled = process.env.BOXWRIGHT_E2E === '1' && process.getuid?.() === 0;
const e2e = enabled ? test.serial : test.skip;

const HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n# boxwright e2e: keep this line\n10.9.9.9 unrelated.test\n';
const IP = process.env.BOXWRIGHT_E2E_IP ?? '192.168.56.10';

e2e('[e2e] vagrant up returns with www.foobar.com answering 200 through the hosts block (probe 16: no 502 window), SSH forwards a local port and refuses a remote one, and destroy restores the hosts file', async (t) => {
  const box = boxFile ?? (await buildStack('chroot', (line) => t.log(line))).box;
  const ns = startLabNetns(HOSTS);
  const lab = makeTempLab();
  const env = cleanEnv({
    VAGRANT_HOME: lab.vagrantHome,
    VAGRANT_CWD: lab.dir, // nsenter --mount does not keep the working folder
    BOXWRIGHT_BOX: 'foobar-web',
    BOXWRIGHT_ACCELERATOR: 'tcg',
    BOXWRIGHT_IP: IP,
    BOXWRIGHT_HOSTS_PLUGIN: 'none',
  });
  const inNs = (cmd: string, args: string[], timeoutMs = 900_000) => {
    const r = spawnSync(ns.prefix[0]!, [...ns.prefix.slice(1), cmd, ...args], { cwd: lab.dir, env, encoding: 'utf8', timeout: timeoutMs });
    return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  };
  t.teardown(() => {
    inNs('vagrant', ['destroy', '-f'], 300_000);
    ns.teardown();
    lab.cleanup();
  });
  t.log(`namespace ${ns.name}, libvirtd ${ns.libvirtdPid}, virtlogd ${ns.virtlogdPid}`);

  const add = inNs('vagrant', ['box', 'add', '--name', 'foobar-web', resolve(box)]);
  t.is(add.status, 0, add.out);

  const started = Date.now();
  const up = inNs('vagrant', ['up', '--provider=libvirt']);
  const upSeconds = (Date.now() - started) / 1000;
  t.is(up.status, 0, up.out);
  t.log(`vagrant up: ${upSeconds.toFixed(1)} s`);

  const hostsUp = readFileSync(ns.hostsFile, 'utf8');
  const id = rubySettings(lab.dir, { BOXWRIGHT_IP: IP }).hosts_block_id as string;
  t.is(hostsUp, `${HOSTS}# BEGIN boxwright ${id}\n${IP} www.foobar.com\n# END boxwright ${id}\n`);

  // Probe 16 (issue 14): right after `vagrant up` returns the site answers 200 at once, from the
  // host side by name (resolved through the namespace's /etc/hosts): no 502 window.
  t.regex(up.out, /Boxwright: http:\/\/www\.foobar\.com\/ answers 200 after \d+ s/, 'up waited for the site');
  const code = inNs('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', 'http://www.foobar.com/'], 20_000).out.trim();
  const firstOkSeconds = (Date.now() - started) / 1000;
  t.is(code, '200', 'the first request after vagrant up returned');
  t.log(`vagrant up -> first HTTP 200: ${firstOkSeconds.toFixed(1)} s`);
  console.log(`lab e2e: vagrant up ${upSeconds.toFixed(1)} s, up -> first 200 ${firstOkSeconds.toFixed(1)} s`);

  const guest = inNs('vagrant', ['ssh', '-c', 'getent hosts www.foobar.com; hostname -f'], 120_000);
  t.is(guest.status, 0, guest.out);
  t.regex(guest.out, new RegExp(`^${IP.replaceAll('.', '\\.')}\\s+www\\.foobar\\.com`, 'm'));

  // SSH port forwarding as vagrant-libvirt's forwarded ports use it (`ssh -L`, through the box's
  // hardened sshd: AllowTcpForwarding local): a local forward reaches the site; a remote one (`-R`) is refused.
  const forward = [
    'vagrant ssh -- -N -o ExitOnForwardFailure=yes -L 127.0.0.1:18080:127.0.0.1:80 & pid=$!',
    'for i in $(seq 1 90); do code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 -H "Host: www.foobar.com" http://127.0.0.1:18080/); [ "$code" = 200 ] && break; sleep 1; done',
    'kill $pid; wait $pid 2>/dev/null; echo "forwarded: $code"',
  ].join('\n');
  const local = inNs('bash', ['-c', forward], 180_000);
  t.regex(local.out, /^forwarded: 200$/m, local.out);
  const remote = inNs('vagrant', ['ssh', '--', '-N', '-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:18081:127.0.0.1:22'], 120_000);
  t.not(remote.status, 0, remote.out);
  t.regex(remote.out, /remote port forwarding failed/i, remote.out);

  const destroy = inNs('vagrant', ['destroy', '-f'], 300_000);
  t.is(destroy.status, 0, destroy.out);
  t.is(readFileSync(ns.hostsFile, 'utf8'), HOSTS, 'hosts file byte-identical after destroy');
});
