import test from 'ava';
import { BoxwrightError } from '../../lib/errors.js';
import { validateImage } from '../../lib/image/validate.js';

const valid = { name: 'foobar-web', version: '1.0.0' };

test('a minimal spec gets every default', (t) => {
  const spec = validateImage(valid, '/images/foobar-web');
  t.is(spec.base, 'ubuntu-24.04');
  t.deepEqual(spec.providers, ['libvirt']);
  t.is(spec.hostname, 'www.foobar.com');
  t.is(spec.network.ip, '192.168.56.10');
  t.is(spec.app.port, 3000);
  t.is(spec.database.engine, 'mysql');
  t.is(spec.build.accelerator, 'auto');
  t.is(spec.dir, '/images/foobar-web');
});

test('a full spec keeps every value it gives', (t) => {
  const spec = validateImage({
    ...valid, base: { image: 'disks/base.qcow2', sha256: 'a'.repeat(64), os: 'debian-12' }, providers: ['libvirt', 'virtualbox'],
    hostname: 'app.example.org', aliases: ['example.org'], build: { kind: 'vm', accelerator: 'tcg', sshTimeout: '20m' },
    vm: { cpus: 4, memory: 2048, diskSize: 10240 }, nginx: { port: 8080, clientMaxBodySize: '10m', proxyTimeout: 30 },
    app: { source: 'src', entry: 'index.mjs', port: 4000, user: 'web' }, database: { engine: 'mariadb', name: 'shop', user: 'shop_rw' },
    network: { ip: '192.168.57.20' }, firewall: { enabled: false },
  });
  t.deepEqual(spec.base, { image: 'disks/base.qcow2', sha256: 'a'.repeat(64), os: 'debian-12' });
  t.is(spec.nginx.port, 8080);
  t.is(spec.database.user, 'shop_rw');
  t.false(spec.firewall.enabled);
});

/** [title, spec change, field path the error must name, a word the message must contain]. */
const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
  ['a spec without a name', { name: undefined }, 'name', /required/],
  ['a name with capitals', { name: 'FooBar' }, 'name', /lowercase/],
  ['a name with a slash', { name: 'foo/bar' }, 'name', /lowercase/],
  ['a name that is a number', { name: 42 }, 'name', /string/],
  ['a version that is not semver', { version: '1.0' }, 'version', /semver/],
  ['a version with build metadata', { version: '1.0.0+abc' }, 'version', /semver/],
  ['a version with a leading v', { version: 'v1.0.0' }, 'version', /semver/],
  ['an unknown base name', { base: 'centos-7' }, 'base', /ubuntu-24\.04/],
  ['a custom base without sha256', { base: { image: 'a.qcow2' } }, 'base.sha256', /sha256sum/],
  ['a custom base with a short sha256', { base: { image: 'a.qcow2', sha256: 'abc' } }, 'base.sha256', /64/],
  ['a custom base with an uppercase sha256', { base: { image: 'a.qcow2', sha256: 'A'.repeat(64) } }, 'base.sha256', /lowercase/],
  ['a custom base with a path going up', { base: { image: '../x.qcow2', sha256: 'a'.repeat(64) } }, 'base.image', /URL/],
  ['a custom base with an unknown os', { base: { image: 'a.qcow2', sha256: 'a'.repeat(64), os: 'arch' } }, 'base.os', /debian-12/],
  ['a custom base with an unknown key', { base: { image: 'a.qcow2', sha256: 'a'.repeat(64), url: 'x' } }, 'base.url', /unknown/],
  ['an unknown provider', { providers: ['vmware'] }, 'providers[0]', /libvirt/],
  ['an empty provider list', { providers: [] }, 'providers', /non-empty/],
  ['a provider listed twice', { providers: ['libvirt', 'libvirt'] }, 'providers[1]', /twice/],
  ['a hostname with an underscore', { hostname: 'www_foobar.com' }, 'hostname', /RFC 1123/],
  ['a hostname with a leading dash', { hostname: '-www.foobar.com' }, 'hostname', /RFC 1123/],
  ['a hostname with an empty label', { hostname: 'www..foobar.com' }, 'hostname', /RFC 1123/],
  ['a hostname label longer than 63', { hostname: `${'a'.repeat(64)}.com` }, 'hostname', /RFC 1123/],
  ['a hostname with a shell metacharacter', { hostname: 'www.foobar.com;reboot' }, 'hostname', /RFC 1123/],
  ['an alias that is not a host name', { aliases: ['foo bar'] }, 'aliases[0]', /RFC 1123/],
  ['an alias equal to the hostname', { aliases: ['www.foobar.com'] }, 'aliases[0]', /repeats/],
  ['an app port of 0', { app: { port: 0 } }, 'app.port', /1 to 65535/],
  ['an app port of 70000', { app: { port: 70000 } }, 'app.port', /1 to 65535/],
  ['an app port given as a string', { app: { port: '3000' } }, 'app.port', /not a port/],
  ['an app port equal to the nginx port', { app: { port: 80 } }, 'app.port', /nginx\.port/],
  ['an nginx port with a fraction', { nginx: { port: 80.5 } }, 'nginx.port', /1 to 65535/],
  ['an nginx body size with a unit word', { nginx: { clientMaxBodySize: '1 megabyte' } }, 'nginx.clientMaxBodySize', /nginx size/],
  ['a database name with a dash', { database: { name: 'foo-bar' } }, 'database.name', /letter/],
  ['a database name starting with a digit', { database: { name: '1db' } }, 'database.name', /letter/],
  ['a database name that is a system schema', { database: { name: 'mysql' } }, 'database.name', /system schema/],
  ['a database user with a quote', { database: { user: "app'--" } }, 'database.user', /letter/],
  ['a database user named root', { database: { user: 'root' } }, 'database.user', /not root/],
  ['a database user longer than 32 characters', { database: { user: 'u'.repeat(33) } }, 'database.user', /at most 32/],
  ['an unknown database engine', { database: { engine: 'postgres' } }, 'database.engine', /mysql/],
  ['an app user named root', { app: { user: 'root' } }, 'app.user', /not root/],
  ['an app user with a space', { app: { user: 'my app' } }, 'app.user', /system user/],
  ['an app entry that is not JavaScript', { app: { entry: 'server.py' } }, 'app.entry', /\.js/],
  ['an app source going up', { app: { source: '../elsewhere' } }, 'app.source', /without/],
  ['an unknown accelerator', { build: { accelerator: 'hvf' } }, 'build.accelerator', /tcg/],
  ['an unknown build kind', { build: { kind: 'docker' } }, 'build.kind', /chroot/],
  ['a chroot build of an Ubuntu base', { build: { kind: 'chroot' } }, 'build.kind', /debian-12/],
  ['an ssh timeout in words', { build: { sshTimeout: 'ten minutes' } }, 'build.sshTimeout', /15m/],
  ['zero cpus', { vm: { cpus: 0 } }, 'vm.cpus', /1 to 64/],
  ['too little memory', { vm: { memory: 128 } }, 'vm.memory', /512/],
  ['a malformed IP', { network: { ip: '192.168.56' } }, 'network.ip', /IPv4/],
  ['an IP with an octet above 255', { network: { ip: '192.168.56.300' } }, 'network.ip', /IPv4/],
  ['an IP outside the VirtualBox host-only range', { providers: ['virtualbox'], network: { ip: '10.0.0.5' } }, 'network.ip', /192\.168\.56\.0\/21/],
  ['a firewall switch that is a string', { firewall: { enabled: 'yes' } }, 'firewall.enabled', /true or false/],
  ['an unknown top-level key', { hostnme: 'x' }, 'hostnme', /unknown field/],
  ['an unknown key in a section', { nginx: { gzip: true } }, 'nginx.gzip', /unknown field/],
  ['a section that is not an object', { app: 'server.js' }, 'app', /object/],
  // Issue 14 (rows 5, 8, 15) and issue 12: refused at validation, not later.
  ['the hostname localhost', { hostname: 'localhost' }, 'hostname', /reserved/],
  ['a hostname under .localhost', { hostname: 'web.localhost' }, 'hostname', /reserved/],
  ['an alias localhost', { aliases: ['localhost'] }, 'aliases[0]', /reserved/],
  ['an all-numeric hostname label', { hostname: 'www.123' }, 'hostname', /all-numeric/],
  ['an IP address as the hostname', { hostname: '10.0.0.5' }, 'hostname', /all-numeric/],
  ['a hostname longer than 64 characters', { hostname: `www.${'c'.repeat(57)}.com` }, 'hostname', /64/],
  ['an alias repeating another alias', { aliases: ['foobar.com', 'FooBar.com'] }, 'aliases[1]', /repeats aliases\[0\]/],
  ['nginx on the SSH port', { nginx: { port: 22 } }, 'nginx.port', /SSH/],
  ['nginx on the database port', { nginx: { port: 3306 } }, 'nginx.port', /database/],
  ['nginx on the app\'s default port', { nginx: { port: 3000 } }, 'nginx.port', /app\.port/],
  ['an app port below 1024', { app: { port: 1000 } }, 'app.port', /1024.*unprivileged/],
  ['a version semver refuses', { version: '1.0.0-01' }, 'version', /semver/],
  ['the app user vagrant', { app: { user: 'vagrant' } }, 'app.user', /already has/],
  ['the app user mysql', { app: { user: 'mysql' } }, 'app.user', /already has/],
  ['the app user www-data', { app: { user: 'www-data' } }, 'app.user', /already has/],
  ['the app user nobody', { app: { user: 'nobody' } }, 'app.user', /already has/],
  ['the broadcast address of the /24', { network: { ip: '192.168.56.255' } }, 'network.ip', /broadcast/],
  ['the network address of the /24', { network: { ip: '192.168.56.0' } }, 'network.ip', /network address/],
  ['a loopback address', { network: { ip: '127.0.0.1' } }, 'network.ip', /loopback/],
];

for (const [title, change, path, message] of bad) {
  test(`validation refuses ${title}, naming ${path}`, (t) => {
    const input: Record<string, unknown> = { ...valid, ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete input[key];
    const error = t.throws(() => validateImage(input), { instanceOf: BoxwrightError });
    t.is(error?.code, 'E_SPEC_INVALID');
    t.is(error?.path, path);
    t.true(error?.message.includes(path), error?.message);
    t.regex(error?.message ?? '', message);
  });
}

test('validation refuses a spec that is not an object', (t) => {
  const error = t.throws(() => validateImage([]), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_SPEC_INVALID');
});
