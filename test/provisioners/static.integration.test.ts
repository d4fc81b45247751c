import { spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { renderProvisioners as render, VARIANTS, variantName, type Variant } from './helpers.js';

const dirs: string[] = [];
test.after.always(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function renderProvisioners(variant: Variant) {
  const r = await render(variant);
  dirs.push(r.dir);
  return r;
}

const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const withShellcheck = hasShellcheck ? test : test.skip;

for (const variant of VARIANTS) {
  const name = variantName(variant);

  withShellcheck(`every provisioner, installed script and check renders and passes shellcheck (${name})`, async (t) => {
    const r = await renderProvisioners(variant);
    const shellFiles = [...r.scripts, ...r.checks, 'files/lib/common.sh', 'files/firstboot/boxwright-firstboot'];
    const result = await execa('shellcheck', ['-x', '-s', 'bash', '-S', 'info', ...shellFiles], { cwd: r.dir, reject: false });
    t.is(result.exitCode, 0, result.stdout);
  });

  test(`rendered templates keep no mustache tags and every script is strict (${name})`, async (t) => {
    const r = await renderProvisioners(variant);
    for (const file of [...r.scripts, ...r.files, ...r.checks]) {
      const text = await readFile(path.join(r.dir, file), 'utf8');
      t.false(/\{\{|\}\}/.test(text), `${file} still has a mustache tag`);
    }
    for (const file of r.scripts) {
      const text = await readFile(path.join(r.dir, file), 'utf8');
      t.regex(text, /^set -Eeuo pipefail$/m, `${file} is not strict`);
    }
  });
}

test('no password or secret is written into any template', async (t) => {
  const r = await renderProvisioners(VARIANTS[0]!);
  for (const file of [...r.scripts, ...r.files, ...r.checks]) {
    const text = await readFile(path.join(r.dir, file), 'utf8');
    for (const match of text.matchAll(/IDENTIFIED (?:BY|WITH)[^;\n]*/gi)) {
      // A shell variable, or (the ha role program) a secret read from its stdin at run time.
      t.regex(match[0], /IDENTIFIED BY (?:'\$pw'|\$\{sqlQuote\(doc\.secrets\.\w+\)\})/, `${file}: ${match[0]}`);
    }
    t.notRegex(text, /password\s*=\s*['"][^'"$]+['"]/i, `${file} holds a literal password`);
  }
});

test('the chroot render skips nothing but the vm-only minimize step', async (t) => {
  const r = await renderProvisioners(VARIANTS[0]!);
  const vmOnly: string[] = [];
  for (const file of r.scripts) {
    if (/^#\s*boxwright:.*\bkinds=vm$/m.test(await readFile(path.join(r.dir, file), 'utf8'))) vmOnly.push(path.basename(file));
  }
  t.deepEqual(vmOnly, ['95-minimize.sh']);
});

test('the Debian render serves MySQL with MariaDB and the Ubuntu render with mysql-server', async (t) => {
  const debian = await renderProvisioners(VARIANTS[0]!);
  const ubuntu = await renderProvisioners(VARIANTS[2]!);
  const firstbootDebian = await readFile(path.join(debian.dir, 'files/firstboot/boxwright-firstboot'), 'utf8');
  const firstbootUbuntu = await readFile(path.join(ubuntu.dir, 'files/firstboot/boxwright-firstboot'), 'utf8');
  t.regex(await readFile(path.join(debian.dir, 'scripts/10-packages.sh'), 'utf8'), /^ {2}'mariadb-server'$/m);
  t.regex(await readFile(path.join(ubuntu.dir, 'scripts/10-packages.sh'), 'utf8'), /^ {2}'mysql-server'$/m);
  t.regex(firstbootDebian, /CLIENT=\(mariadb /);
  t.regex(firstbootUbuntu, /CLIENT=\(mysql /);
  t.regex(await readFile(path.join(ubuntu.dir, 'scripts/20-database.sh'), 'utf8'), /mysqld --validate-config/);
});

test('the firewall can be left out by the spec', async (t) => {
  const off = await renderProvisioners(VARIANTS[1]!);
  const script = await readFile(path.join(off.dir, 'scripts/50-firewall.sh'), 'utf8');
  t.notRegex(script, /nftables\.conf/);
  t.regex(script, /systemctl disable --quiet --no-reload nftables\.service/);
});
