/**
 * boxwright-release (provisioners/files/app/boxwright-release.sh), run for real on this host inside
 * a temp root (BOXWRIGHT_ROOT). Its instances are real Node servers started by a stand-in for
 * systemctl that does what systemd does for the unit: start `node current/server.js` in the
 * release folder with PORT set, and report the main PID.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { freePort, renderProvisioners } from './helpers.js';

const asRoot = process.getuid?.() === 0 ? test.serial : test.serial.skip;

/** The stand-in systemctl: restart, show -p MainPID --value, is-active, is-failed, reset-failed. */
const FAKE_SYSTEMCTL = `#!/bin/bash
state="$FAKE_STATE"
cmd=$1; shift
[[ $cmd == show ]] && { unit=\${@: -1}; cat "$state/$unit.pid" 2>/dev/null || echo 0; exit 0; }
[[ $cmd == --quiet ]] && { cmd=$1; shift; }
unit=$1
[[ $unit == --quiet ]] && unit=$2
port=\${unit#boxwright-app@}; port=\${port%.service}
alive() { [[ -f "$state/$unit.pid" ]] && kill -0 "$(cat "$state/$unit.pid")" 2>/dev/null; }
case $cmd in
  restart)
    if alive; then pid=$(cat "$state/$unit.pid"); kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; fi
    (cd "$FAKE_APP_DIR/current" && PORT=$port exec node server.js >>"$state/$unit.log" 2>&1) &
    echo $! > "$state/$unit.pid" ;;
  is-active) if alive; then echo active; else echo inactive; exit 3; fi ;;
  is-failed) alive && exit 1; exit 0 ;;
  reset-failed) exit 0 ;;
  *) echo "fake systemctl: $cmd not faked" >&2; exit 1 ;;
esac
`;

/** A bundle as bundleApp makes it: the app at the top, node_modules included. */
async function bundle(work: string, name: string, health: string): Promise<{ file: string; id: string }> {
  const tree = path.join(work, `tree-${name}`);
  await mkdir(path.join(tree, 'node_modules'), { recursive: true });
  await writeFile(path.join(tree, 'server.js'), `require('node:http').createServer((q, s) => {
  s.setHeader('X-Release', ${JSON.stringify(name)});
  s.end(q.url === '/healthz' ? ${JSON.stringify(health)} : ${JSON.stringify(name)});
}).listen(Number(process.env.PORT), '127.0.0.1');\n`);
  await writeFile(path.join(tree, 'package.json'), '{"type":"commonjs"}\n');
  const file = path.join(work, `${name}.tar.gz`);
  await execa('bash', ['-c', 'tar --sort=name --mtime=@0 --owner=0 --group=0 -C "$1" -cf - . | gzip -n > "$2"', 'x', tree, file]);
  return { file, id: createHash('sha256').update(await readFile(file)).digest('hex').slice(0, 16) };
}

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const work = await mkdtemp(path.join(os.tmpdir(), 'bw-release-'));
  const ports = [await freePort(), await freePort()];
  const r = await renderProvisioners({ os: 'debian-12', kind: 'chroot', context: { appPort: ports[0]!, appPortStandby: ports[1]! } }, path.join(work, 'render'));
  const root = path.join(work, 'root');
  const bin = path.join(work, 'bin');
  const state = path.join(work, 'state');
  await mkdir(bin, { recursive: true });
  await mkdir(state, { recursive: true });
  await writeFile(path.join(bin, 'systemctl'), FAKE_SYSTEMCTL);
  await chmod(path.join(bin, 'systemctl'), 0o755);
  const env = {
    PATH: `${bin}:${process.env.PATH}`, BOXWRIGHT_ROOT: root, BOXWRIGHT_APP_GROUP: 'root', FAKE_STATE: state,
    FAKE_APP_DIR: path.join(root, 'opt/app'), BOXWRIGHT_HEALTH_TIMEOUT: '10',
  };
  const script = path.join(r.dir, 'files/app/boxwright-release.sh');
  const release = (args: string[], input?: Buffer) => execa('bash', [script, ...args], { env, extendEnv: false, reject: false, ...(input ? { input } : {}) });
  t.teardown(async () => {
    for (const name of await readdir(state).catch(() => [])) {
      if (!name.endsWith('.pid')) continue;
      try {
        process.kill(Number(await readFile(path.join(state, name), 'utf8')), 'SIGKILL');
      } catch {}
    }
    await rm(work, { recursive: true, force: true });
  });
  return { work, root, ports, release, appDir: path.join(root, 'opt/app') };
}

async function get(port: number, pathname = '/'): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}${pathname}`);
  return response.text();
}

asRoot('install unpacks a bundle as releases/<first 16 hex of its sha256>, root-owned and read-only for others', async (t) => {
  const { work, release, appDir } = await setup(t);
  const v1 = await bundle(work, 'v1', 'ok');
  const run = await release(['install', v1.file]);
  t.is(run.exitCode, 0, run.stderr);
  t.is(run.stdout, v1.id);
  const dir = path.join(appDir, 'releases', v1.id);
  t.true(existsSync(path.join(dir, 'server.js')));
  const info = await stat(path.join(dir, 'server.js'));
  t.is(info.uid, 0);
  t.is(info.mode & 0o022, 0, 'not writable by group or others');
  const again = await release(['install'], await readFile(v1.file));
  t.is(again.stdout, v1.id, 'the same bundle on stdin is the same release');
  t.deepEqual((await readdir(path.join(appDir, 'releases'))).sort(), [v1.id], 'no second copy, no leftover incoming folder');
});

asRoot('install refuses a bundle without the entry script and leaves no release behind', async (t) => {
  const { work, release, appDir } = await setup(t);
  const empty = path.join(work, 'empty');
  await mkdir(path.join(empty, 'node_modules'), { recursive: true });
  const file = path.join(work, 'empty.tar.gz');
  await execa('tar', ['-C', empty, '-czf', file, '.']);
  const run = await release(['install', file]);
  t.is(run.exitCode, 1);
  t.regex(run.stderr, /server\.js not found at the top of the bundle/);
  t.deepEqual(await readdir(path.join(appDir, 'releases')), []);
});

asRoot('activate switches current by one rename and keeps the release it replaced as previous', async (t) => {
  const { work, release, appDir } = await setup(t);
  const v1 = await bundle(work, 'v1', 'ok');
  const v2 = await bundle(work, 'v2', 'ok');
  for (const b of [v1, v2]) await release(['install', b.file]);
  t.is((await release(['activate', v1.id])).exitCode, 0);
  t.is(await readlink(path.join(appDir, 'current')), `releases/${v1.id}`);
  t.false(existsSync(path.join(appDir, 'previous')));
  t.is((await release(['activate', v2.id])).exitCode, 0);
  t.is(await readlink(path.join(appDir, 'current')), `releases/${v2.id}`);
  t.is(await readlink(path.join(appDir, 'previous')), `releases/${v1.id}`);
  t.true((await lstat(path.join(appDir, 'current'))).isSymbolicLink());
  t.deepEqual((await readdir(appDir)).filter((n) => n.startsWith('.')), [], 'no temporary link left');
  const bad = await release(['activate', 'ffffffffffffffff']);
  t.is(bad.exitCode, 1);
  t.regex(bad.stderr, /no release ffffffffffffffff; install it first/);
});

asRoot('deploy restarts both instances one after the other on the new release, and rollback goes back', async (t) => {
  const { work, release, ports } = await setup(t);
  const v1 = await bundle(work, 'v1', 'ok');
  const v2 = await bundle(work, 'v2', 'ok');
  for (const b of [v1, v2]) await release(['install', b.file]);
  const first = await release(['deploy', v1.id]);
  t.is(first.exitCode, 0, first.stderr);
  const second = await release(['deploy', v2.id]);
  t.is(second.exitCode, 0, second.stderr);
  const status = JSON.parse(second.stdout) as { current: string; previous: string; instances: { port: number; active: string; release: string }[] };
  t.is(status.current, v2.id);
  t.is(status.previous, v1.id);
  t.deepEqual(status.instances.map((i) => [i.port, i.active, i.release]), ports.map((p) => [p, 'active', v2.id]));
  for (const port of ports) t.is(await get(port), 'v2');
  t.regex(second.stderr, new RegExp(`boxwright-app@${ports[0]}\\.service serves release ${v2.id}[^]*boxwright-app@${ports[1]}\\.service serves release ${v2.id}`), 'in order');

  const back = await release(['rollback']);
  t.is(back.exitCode, 0, back.stderr);
  t.is((JSON.parse(back.stdout) as { current: string }).current, v1.id);
  for (const port of ports) t.is(await get(port), 'v1');
});

asRoot('a release that fails its health check is never rolled past the first instance and the previous one comes back', async (t) => {
  const { work, release, ports } = await setup(t);
  const good = await bundle(work, 'good', 'ok');
  const broken = await bundle(work, 'broken', 'database unavailable');
  for (const b of [good, broken]) await release(['install', b.file]);
  t.is((await release(['deploy', good.id])).exitCode, 0);
  const run = await release(['deploy', broken.id]);
  t.is(run.exitCode, 1);
  t.regex(run.stderr, new RegExp(`boxwright-app@${ports[0]}\\.service is not healthy on release ${broken.id}`));
  t.notRegex(run.stderr, new RegExp(`boxwright-app@${ports[1]}\\.service serves release ${broken.id}`), 'the second instance never ran it');
  t.regex(run.stderr, new RegExp(`going back to ${good.id}`));
  const status = JSON.parse(run.stdout) as { current: string; instances: { release: string }[] };
  t.is(status.current, good.id);
  t.deepEqual(status.instances.map((i) => i.release), [good.id, good.id]);
  for (const port of ports) t.is(await get(port), 'good');
});

asRoot('prune keeps current, previous and one older release', async (t) => {
  const { work, release, appDir } = await setup(t);
  const ids: string[] = [];
  for (const name of ['r1', 'r2', 'r3', 'r4']) {
    const b = await bundle(work, name, 'ok');
    await release(['install', b.file]);
    await release(['activate', b.id]);
    ids.push(b.id);
    await new Promise((resolve) => setTimeout(resolve, 20)); // distinct mtimes
  }
  const run = await release(['prune']);
  t.is(run.exitCode, 0, run.stderr);
  t.deepEqual((await readdir(path.join(appDir, 'releases'))).sort(), [ids[1]!, ids[2]!, ids[3]!].sort());
});
