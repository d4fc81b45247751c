import test from 'ava';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { debianRecipeHash, baseScriptsDir } from '../../lib/base/index.js';
import { listFiles } from '../../lib/util/hash.js';
import { copyFixture, fixture } from './helpers.js';

test('the recipe hash is stable for the same scripts and settings', async (t) => {
  const a = await debianRecipeHash({ scriptsDir: fixture('fake-ok') });
  const b = await debianRecipeHash({ scriptsDir: await copyFixture(t, 'fake-ok') });
  t.regex(a, /^[0-9a-f]{64}$/);
  t.is(a, b);
});

test('the recipe hash changes when a script changes', async (t) => {
  const dir = await copyFixture(t, 'fake-ok');
  const before = await debianRecipeHash({ scriptsDir: dir });
  await appendFile(path.join(dir, 'make-disk.sh'), '# one more line\n');
  t.not(await debianRecipeHash({ scriptsDir: dir }), before);
});

test('the recipe hash changes when the package list changes', async (t) => {
  const dir = await copyFixture(t, 'fake-ok');
  const before = await debianRecipeHash({ scriptsDir: dir });
  await writeFile(path.join(dir, 'debian-12-packages.txt'), 'fake-package\nanother-package\n');
  t.not(await debianRecipeHash({ scriptsDir: dir }), before);
});

test('the recipe hash ignores files of the folder that do not make the base', async (t) => {
  const dir = await copyFixture(t, 'fake-ok');
  const before = await debianRecipeHash({ scriptsDir: dir });
  await writeFile(path.join(dir, 'chroot-exec.sh'), '#!/bin/bash\n');
  t.is(await debianRecipeHash({ scriptsDir: dir }), before);
  await mkdir(path.join(dir, 'files'));
  await writeFile(path.join(dir, 'files', 'extra.conf'), 'x=1\n');
  t.not(await debianRecipeHash({ scriptsDir: dir }), before);
});

test('the recipe hash changes with the mirror, the suite and the disk size', async (t) => {
  const scriptsDir = fixture('fake-ok');
  const base = await debianRecipeHash({ scriptsDir });
  t.not(await debianRecipeHash({ scriptsDir, mirror: 'http://mirror.example/debian' }), base);
  t.not(await debianRecipeHash({ scriptsDir, suite: 'trixie' }), base);
  t.not(await debianRecipeHash({ scriptsDir, diskSize: 4096 }), base);
  t.is(await debianRecipeHash({ scriptsDir, mirror: 'http://deb.debian.org/debian', suite: 'bookworm', diskSize: 8192 }), base);
});

test('the shipped recipe covers both scripts, the package list and the installed files', async (t) => {
  const files = await listFiles(baseScriptsDir());
  for (const name of ['debian-rootfs.sh', 'debian-customize.sh', 'make-disk.sh', 'debian-12-packages.txt', 'debian-13-packages.txt', 'files/vagrant.pub', 'files/99-boxwright-dhcp.network', 'files/dpkg-excludes']) {
    t.true(files.includes(name), name);
  }
});

test('debian-13 has its own recipe hash, covering its own package list and not debian-12\'s', async (t) => {
  const dir = await copyFixture(t, 'fake-ok');
  const twelve = await debianRecipeHash({ scriptsDir: dir });
  const thirteen = await debianRecipeHash({ scriptsDir: dir, release: 'debian-13' });
  t.not(thirteen, twelve);
  t.is(await debianRecipeHash({ scriptsDir: dir, release: 'debian-13', suite: 'trixie' }), thirteen, 'trixie is debian-13\'s suite');
  await writeFile(path.join(dir, 'debian-12-packages.txt'), 'changed\n');
  t.is(await debianRecipeHash({ scriptsDir: dir, release: 'debian-13' }), thirteen);
  t.not(await debianRecipeHash({ scriptsDir: dir }), twelve);
  await writeFile(path.join(dir, 'debian-13-packages.txt'), 'changed\n');
  t.not(await debianRecipeHash({ scriptsDir: dir, release: 'debian-13' }), thirteen);
});

test('the recipe refuses a release that is not a Debian base', async (t) => {
  await t.throwsAsync(debianRecipeHash({ scriptsDir: fixture('fake-ok'), release: 'ubuntu-24.04' as never }), { message: /release must be a base bootstrapped from a Debian mirror \(debian-12, debian-13\)/ });
});

test('the recipe rejects a mirror that is not an http(s) URL', async (t) => {
  await t.throwsAsync(debianRecipeHash({ scriptsDir: fixture('fake-ok'), mirror: 'ftp://x; rm -rf /' }), { message: /mirror must be an http/ });
});
