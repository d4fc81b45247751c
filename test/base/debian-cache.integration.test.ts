import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDebianBase } from '../../lib/base/index.js';
import { sha256File } from '../../lib/util/hash.js';
import { isBoxwrightError } from '../../lib/errors.js';
import { fixture, tempDir } from './helpers.js';

const options = (cacheDir: string, name: Parameters<typeof fixture>[0] = 'fake-ok') => ({ cacheDir, scriptsDir: fixture(name), hostCheck: false, diskSize: 256 });

test('a fresh build lands in the cache with checksums, and the next call reuses it', async (t) => {
  const cacheDir = await tempDir(t);
  const lines: string[] = [];
  const first = await ensureDebianBase({ ...options(cacheDir), onLog: (line) => lines.push(line) });
  t.false(first.cached);
  t.is(first.dir, path.join(cacheDir, 'base', `debian-12-${first.recipeHash}`));
  t.is(first.sha256, await sha256File(first.disk));
  t.is(first.rootfsSha256, await sha256File(first.rootfsTar));
  t.true(lines.some((line) => line.startsWith('fake rootfs:')));
  t.regex(await readFile(first.rootfsTar, 'utf8'), /--mirror http:\/\/deb\.debian\.org\/debian --security-mirror http:\/\/deb\.debian\.org\/debian-security --suite bookworm/);

  const second = await ensureDebianBase(options(cacheDir));
  t.true(second.cached);
  t.deepEqual({ ...second, cached: false }, first);
  t.deepEqual(await readdir(path.join(cacheDir, 'base')), [path.basename(first.dir)]);
});

test('a debian-13 base is bootstrapped from trixie with deb822 sources and its own package list, into its own cache entry', async (t) => {
  const cacheDir = await tempDir(t);
  const twelve = await ensureDebianBase(options(cacheDir));
  const thirteen = await ensureDebianBase({ ...options(cacheDir), release: 'debian-13' });
  t.is(thirteen.release, 'debian-13');
  t.false(thirteen.cached);
  t.is(thirteen.dir, path.join(cacheDir, 'base', `debian-13-${thirteen.recipeHash}`));
  const args = await readFile(thirteen.rootfsTar, 'utf8');
  t.regex(args, /--suite trixie /);
  t.regex(args, /--packages \S+\/debian-13-packages\.txt --sources-format deb822/);
  t.regex(await readFile(twelve.rootfsTar, 'utf8'), /--suite bookworm --packages \S+\/debian-12-packages\.txt --sources-format list/);
  t.true((await ensureDebianBase({ ...options(cacheDir), release: 'debian-13' })).cached);
  t.deepEqual((await readdir(path.join(cacheDir, 'base'))).sort(), [path.basename(twelve.dir), path.basename(thirteen.dir)].sort());
});

test('a cache entry recorded for another release is not reused', async (t) => {
  const cacheDir = await tempDir(t);
  const first = await ensureDebianBase({ ...options(cacheDir), release: 'debian-13' });
  const record = JSON.parse(await readFile(path.join(first.dir, 'base.json'), 'utf8')) as { os: string };
  await writeFile(path.join(first.dir, 'base.json'), JSON.stringify({ ...record, os: 'debian-12' }));
  const lines: string[] = [];
  t.false((await ensureDebianBase({ ...options(cacheDir), release: 'debian-13', onLog: (line) => lines.push(line) })).cached);
  t.true(lines.some((line) => /does not match the recipe/.test(line)));
});

test('a corrupted cached disk is rebuilt, not reused', async (t) => {
  const cacheDir = await tempDir(t);
  const first = await ensureDebianBase(options(cacheDir));
  await writeFile(first.disk, 'disk\nflipped bits\n');
  const lines: string[] = [];
  const again = await ensureDebianBase({ ...options(cacheDir), onLog: (line) => lines.push(line) });
  t.false(again.cached);
  t.is(again.sha256, first.sha256);
  t.is(await sha256File(again.disk), first.sha256);
  t.true(lines.some((line) => /damaged/.test(line)));
});

test('a corrupted cached rootfs tar is rebuilt too', async (t) => {
  const cacheDir = await tempDir(t);
  const first = await ensureDebianBase(options(cacheDir));
  await writeFile(first.rootfsTar, 'rootfs x\n');
  const again = await ensureDebianBase(options(cacheDir));
  t.false(again.cached);
  t.is(await sha256File(again.rootfsTar), first.rootfsSha256);
});

test('a cache entry without its record is rebuilt', async (t) => {
  const cacheDir = await tempDir(t);
  const first = await ensureDebianBase(options(cacheDir));
  await writeFile(path.join(first.dir, 'base.json'), '{ not json');
  t.false((await ensureDebianBase(options(cacheDir))).cached);
});

test('force rebuilds a valid cache entry', async (t) => {
  const cacheDir = await tempDir(t);
  await ensureDebianBase(options(cacheDir));
  t.false((await ensureDebianBase({ ...options(cacheDir), force: true })).cached);
});

test('a failing script throws E_BASE with its output and leaves nothing in the cache', async (t) => {
  const cacheDir = await tempDir(t);
  const error = await t.throwsAsync(ensureDebianBase(options(cacheDir, 'fake-fail')));
  t.true(isBoxwrightError(error, 'E_BASE'));
  t.regex(error!.message, /rootfs step .* failed \(exit 1\)/);
  t.regex(error!.message, /Failed to fetch/);
  t.truthy(error!.cause);
  t.deepEqual(await readdir(path.join(cacheDir, 'base')), []);
});

test('a missing host tool reported by a script becomes E_HOST naming the apt-get fix', async (t) => {
  const cacheDir = await tempDir(t);
  const error = await t.throwsAsync(ensureDebianBase(options(cacheDir, 'fake-nohost')));
  t.true(isBoxwrightError(error, 'E_HOST'));
  t.regex(error!.message, /apt-get install mmdebstrap/);
});

test('an abort kills the script and its children and leaves nothing in the cache', async (t) => {
  const cacheDir = await tempDir(t);
  const controller = new AbortController();
  const running = ensureDebianBase({ ...options(cacheDir, 'fake-slow'), signal: controller.signal });
  const baseDir = path.join(cacheDir, 'base');
  let sleepPid: number | undefined;
  for (let i = 0; i < 100 && sleepPid === undefined; i++) {
    await sleep(100);
    for (const name of await readdir(baseDir).catch(() => [] as string[])) {
      const text = await readFile(path.join(baseDir, name, 'work', 'sleep.pid'), 'utf8').catch(() => '');
      if (text.trim() !== '') sleepPid = Number(text.trim());
    }
  }
  t.truthy(sleepPid, 'the stand-in script started');
  const started = Date.now();
  controller.abort(new Error('user pressed Ctrl-C'));
  const error = await t.throwsAsync(running);
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
  t.true(Date.now() - started < 10_000);
  // The killed child may linger a moment as a zombie until init reaps it: it has ended all the same.
  const ended = async (pid: number): Promise<boolean> => {
    for (let i = 0; i < 50; i++) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      if (stat === '' || /^\d+ \(.*\) [ZX] /s.test(stat)) return true;
      await sleep(100);
    }
    return false;
  };
  t.true(await ended(sleepPid!), `the script's child ${sleepPid} still runs`);
  t.deepEqual(await readdir(baseDir), []);
});

test('an already aborted signal builds nothing', async (t) => {
  const cacheDir = await tempDir(t);
  const error = await t.throwsAsync(ensureDebianBase({ ...options(cacheDir), signal: AbortSignal.abort() }));
  t.true(isBoxwrightError(error, 'E_CANCELLED'));
});

test('two concurrent callers build the entry once: the second waits and reuses it', async (t) => {
  const cacheDir = await tempDir(t);
  const [a, b] = await Promise.all([ensureDebianBase(options(cacheDir)), ensureDebianBase(options(cacheDir))]);
  t.deepEqual([a.cached, b.cached].sort(), [false, true]);
  t.is(a.sha256, b.sha256);
});

test('a lock left by a dead process does not block the build', async (t) => {
  const cacheDir = await tempDir(t);
  const first = await ensureDebianBase(options(cacheDir));
  await writeFile(`${first.dir}.lock`, '999999999\n');
  const again = await ensureDebianBase({ ...options(cacheDir), force: true });
  t.false(again.cached);
  t.deepEqual((await readdir(path.join(cacheDir, 'base'))).sort(), [path.basename(first.dir)]);
});
