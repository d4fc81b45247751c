import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { bundleApp } from '../../lib/render/app-bundle.js';
import { imageDir, provisionersBaseTarball, renderProvisioners } from './helpers.js';

// Runs provisioners/30-app.sh in a throwaway Debian root (the cached minimal root the chroot tests
// share; bootstrapped from the mirror by the first that needs it), never on this host.
const skip = process.getuid?.() !== 0 ? 'needs root (chroot)'
  : !existsSync('/usr/bin/mmdebstrap') ? 'mmdebstrap is not installed (scripts/install-host-deps.sh)'
  : undefined;
const serial = skip ? test.serial.skip : test.serial;

let work = '';
let root = '';
test.before(async () => {
  if (skip) return;
  work = await mkdtemp(path.join(os.tmpdir(), 'bw-app-user-'));
  root = path.join(work, 'root');
  await mkdir(root);
  await execa('tar', ['--numeric-owner', '-xpf', await provisionersBaseTarball(), '-C', root, '--exclude=./dev/*']);
});
test.after.always(async () => { if (work) await rm(work, { recursive: true, force: true }); });

/** Renders the provisioners for app.user `user`, stages them in the root and runs 30-app.sh there. */
async function runAppScript(user: string): Promise<{ exitCode: number | undefined; output: string }> {
  const r = await renderProvisioners({ os: 'debian-12', kind: 'chroot', context: { appUser: user } }, path.join(work, `render-${user}-${Date.now()}`));
  const bundle = await bundleApp({ imageDir, source: 'app' });
  const staging = path.join(root, 'tmp/boxwright');
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await execa('cp', ['-a', path.join(r.dir, 'files'), path.join(r.dir, 'scripts'), staging]);
  await execa('cp', [bundle.path, path.join(staging, 'app.tar.gz')]);
  // A private mount namespace: /proc and /dev exist in the root for this run only (gone with it).
  const result = await execa('unshare', ['--mount', '--propagation', 'private', 'bash', '-c',
    'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" && exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 bash /tmp/boxwright/scripts/30-app.sh',
    'run', root], { all: true, reject: false });
  return { exitCode: result.exitCode, output: result.all ?? '' };
}

const passwdLine = async (user: string): Promise<string | undefined> =>
  (await readFile(path.join(root, 'etc/passwd'), 'utf8')).split('\n').find((line) => line.startsWith(`${user}:`));

serial('app.user = an existing account (vagrant, mysql, www-data, nobody): the provisioner refuses it and leaves the account as it was', async (t) => {
  for (const user of ['www-data', 'nobody']) {
    const before = await passwdLine(user);
    t.truthy(before, `${user} exists in the base`);
    const run = await runAppScript(user);
    t.is(run.exitCode, 1, run.output);
    t.regex(run.output, new RegExp(`app\\.user "${user}" is an existing account that Boxwright did not create`));
    t.is(await passwdLine(user), before, `${user} is unchanged (shell kept)`);
  }
  await execa('chroot', [root, 'useradd', '--create-home', '--shell', '/bin/bash', 'vagrant']);
  const vagrant = await passwdLine('vagrant');
  t.is((await runAppScript('vagrant')).exitCode, 1);
  t.is(await passwdLine('vagrant'), vagrant, 'the vagrant login shell is kept (SSH keeps working)');
});

serial('app.user whose name is taken by a group only is refused too', async (t) => {
  await execa('chroot', [root, 'groupadd', '--system', 'lonely']);
  const run = await runAppScript('lonely');
  t.is(run.exitCode, 1);
  t.regex(run.output, /a group "lonely" already exists/);
  t.is(await passwdLine('lonely'), undefined);
});

serial('the provisioner creates the app user once, records it, and accepts it on a second run', async (t) => {
  const first = await runAppScript('shopapp');
  t.is(first.exitCode, 0, first.output);
  const line = await passwdLine('shopapp');
  t.regex(line ?? '', /^shopapp:x:\d+:\d+:.*:\/nonexistent:\/usr\/sbin\/nologin$/);
  const uid = line!.split(':')[2];
  t.is(await readFile(path.join(root, 'var/lib/boxwright/accounts/shopapp'), 'utf8'), `uid=${uid}\n`);
  const second = await runAppScript('shopapp');
  t.is(second.exitCode, 0, second.output);
  t.is(await passwdLine('shopapp'), line);
  // The app folder: root and the app's group only.
  const stat = await execa('chroot', [root, 'stat', '-L', '-c', '%a %U:%G', '/opt/app', '/opt/app/releases', '/opt/app/current', '/opt/app/current/server.js']);
  t.deepEqual(stat.stdout.split('\n'), ['750 root:shopapp', '750 root:shopapp', '750 root:shopapp', '640 root:shopapp']);
  const readable = await execa('chroot', [root, 'find', '/opt/app', '!', '-type', 'l', '-perm', '/007']);
  t.is(readable.stdout, '', 'nothing in the app folder is readable by others');
});
