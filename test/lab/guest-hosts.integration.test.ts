import test from 'ava';
import { join } from 'node:path';
import { cleanEnv, makeTempLab, rubySettings, run, type TempLab } from './helpers.js';

/** The guest's /etc/hosts as the guest trigger writes it from `input` (vagrant/guest_hosts.rb). */
function guestHosts(lab: TempLab, input: string, env: Record<string, string> = {}) {
  return run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'guest-hosts', lab.dir], { env: cleanEnv(env), input });
}

test('the guest hosts file maps the names to the private IP and drops loopback claims on them', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const input = '127.0.0.1\tlocalhost\n127.0.1.1\twww.foobar.com www\n127.0.2.1 www.foobar.com keepme\n::1 localhost ip6-localhost\n';
  const env = { BOXWRIGHT_ALIASES: 'foobar.com' };
  const r = guestHosts(lab, input, env);
  t.is(r.status, 0, r.stderr);
  const id = rubySettings(lab.dir, env).hosts_block_id as string;
  t.is(
    r.stdout,
    '127.0.0.1\tlocalhost\n127.0.2.1\tkeepme\n::1 localhost ip6-localhost\n' +
      `# BEGIN boxwright ${id}\n192.168.56.10 www.foobar.com www foobar.com\n# END boxwright ${id}\n`,
  );
  t.is(guestHosts(lab, r.stdout, env).stdout, r.stdout, 'idempotent');
});

const loopbackInputs: Array<[string, string]> = [
  ['a plain localhost line', '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'],
  ['a localhost line that also claims the hostname', '127.0.0.1 localhost localhost.localdomain www.foobar.com localhost.example.com\n'],
  ['a localhost line after the Debian 127.0.1.1 line', '127.0.1.1\tlocalhost.example.com localhost\n127.0.0.1\tlocalhost\n'],
];

for (const [what, input] of loopbackInputs) {
  test(`the guest trigger never drops the 127.0.0.1 localhost line: ${what}`, (t) => {
    const lab = makeTempLab();
    t.teardown(lab.cleanup);
    // localhost.example.com is a valid name whose first label is "localhost".
    const r = guestHosts(lab, input, { BOXWRIGHT_HOSTNAME: 'localhost.example.com', BOXWRIGHT_ALIASES: 'www.foobar.com' });
    t.is(r.status, 0, r.stderr);
    t.regex(r.stdout, /^127\.0\.0\.1\s+(?:\S+\s+)*localhost(?:\s|$)/m);
    const entry = r.stdout.split('\n').find((l) => l.startsWith('192.168.56.10 '));
    t.is(entry, '192.168.56.10 localhost.example.com www.foobar.com', 'the block never maps localhost to the private IP');
  });
}

for (const [variable, value] of [['BOXWRIGHT_HOSTNAME', 'localhost'], ['BOXWRIGHT_ALIASES', 'localhost'], ['BOXWRIGHT_HOSTNAME', 'app.localhost'], ['BOXWRIGHT_ALIASES', 'ok.test,localhost.localdomain']] as const) {
  test(`the guest trigger never runs with ${variable}=${value}: the setting is refused`, (t) => {
    const lab = makeTempLab();
    t.teardown(lab.cleanup);
    const r = guestHosts(lab, '127.0.0.1\tlocalhost\n', { [variable]: value });
    t.is(r.status, 2);
    t.regex(r.stderr, /is reserved for loopback \(from BOXWRIGHT_(HOSTNAME|ALIASES)\)/);
    t.is(r.stdout, '');
  });
}
