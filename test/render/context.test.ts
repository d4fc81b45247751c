import test from 'ava';
import { APP_DIR, STAGING_DIR, renderContext } from '../../lib/render/context.js';
import { sampleSpec } from './helpers.js';

test('on debian the MySQL role is served by MariaDB even when the spec asks for mysql', async (t) => {
  const spec = await sampleSpec({ database: { engine: 'mysql' } });
  const context = renderContext(spec, { os: 'debian-12', kind: 'vm' });
  t.is(context.dbEngine, 'mysql');
  t.is(context.dbPackage, 'mariadb-server');
  t.is(context.dbService, 'mariadb');
  t.true(context.isMariadb);
  t.false(context.isMysql);
  t.true(context.isDebian);
  t.false(context.isUbuntu);
});

test('on ubuntu the mysql engine installs mysql-server and runs the mysql service', async (t) => {
  const spec = await sampleSpec({ database: { engine: 'mysql' } });
  const context = renderContext(spec, { os: 'ubuntu-24.04', kind: 'vm' });
  t.is(context.dbPackage, 'mysql-server');
  t.is(context.dbService, 'mysql');
  t.true(context.isMysql);
  t.false(context.isMariadb);
  t.true(context.isUbuntu);
  t.is(context.os, 'ubuntu-24.04');
});

test('on ubuntu the mariadb engine installs mariadb-server', async (t) => {
  const spec = await sampleSpec({ database: { engine: 'mariadb' } });
  const context = renderContext(spec, { os: 'ubuntu-24.04', kind: 'vm' });
  t.is(context.dbPackage, 'mariadb-server');
  t.is(context.dbService, 'mariadb');
});

test('the build kind sets exactly one of isChroot and isVm', async (t) => {
  const spec = await sampleSpec();
  const chroot = renderContext(spec, { os: 'debian-12', kind: 'chroot' });
  const vm = renderContext(spec, { os: 'debian-12', kind: 'vm' });
  t.deepEqual([chroot.buildKind, chroot.isChroot, chroot.isVm], ['chroot', true, false]);
  t.deepEqual([vm.buildKind, vm.isChroot, vm.isVm], ['vm', false, true]);
});

test('the spec values reach the context unchanged', async (t) => {
  const spec = await sampleSpec({ app: { port: 4000 }, nginx: { port: 8080 }, firewall: { enabled: false } });
  const context = renderContext(spec, { os: 'debian-12', kind: 'vm' });
  t.is(context.serverNames, 'www.foobar.com foobar.com');
  t.is(context.hostname, 'www.foobar.com');
  t.is(context.ip, '192.168.56.10');
  t.is(context.appPort, 4000);
  t.is(context.nginxPort, 8080);
  t.is(context.appUser, 'foobar');
  t.is(context.dbName, 'foobar');
  t.is(context.appDir, APP_DIR);
  t.is(context.stagingDir, STAGING_DIR);
  t.false(context.firewallEnabled);
});

test('every context value is a string, number or boolean', async (t) => {
  const context = renderContext(await sampleSpec(), { os: 'ubuntu-24.04', kind: 'vm' });
  for (const [key, value] of Object.entries(context)) t.true(['string', 'number', 'boolean'].includes(typeof value), key);
});

test('debian-13 renders as Debian: MariaDB serves the MySQL role', async (t) => {
  const spec = await sampleSpec();
  const context = renderContext(spec, { os: 'debian-13', kind: 'chroot' });
  t.is(context.os, 'debian-13');
  t.true(context.isDebian);
  t.false(context.isUbuntu);
  t.is(context.dbPackage, 'mariadb-server');
  t.is(context.dbService, 'mariadb');
});
