import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, makeTempLab, rubySettings, run, type TempLab } from './helpers.js';

/** Runs vagrant/cli.rb host-file ACTION for the lab in `lab.dir`, editing `hosts`. */
function hostFile(lab: TempLab, action: 'add' | 'remove' | 'check', hosts: string, env: Record<string, string> = {}) {
  return run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'host-file', action, lab.dir], { env: cleanEnv({ BOXWRIGHT_HOSTS_FILE: hosts, ...env }) });
}

function blockId(lab: TempLab, env: Record<string, string> = {}): string {
  return rubySettings(lab.dir, env).hosts_block_id as string;
}

/** Two lab folders with the same settings, removed after the test. */
function twoLabs(t: ExecutionContext): [TempLab, TempLab] {
  const labs: [TempLab, TempLab] = [makeTempLab(), makeTempLab()];
  t.teardown(() => labs.forEach((l) => l.cleanup()));
  return labs;
}

function block(id: string, entry: string, eol = '\n'): string {
  return `# BEGIN boxwright ${id}${eol}${entry}${eol}# END boxwright ${id}${eol}`;
}

test('the hosts-block id is the hostname and a short hash of the lab folder, or the lab name and that hash', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const hash = createHash('sha256').update(realpathSync(lab.dir)).digest('hex').slice(0, 8);
  t.is(blockId(lab), `www.foobar.com@${hash}`);
  t.is(blockId(lab, { BOXWRIGHT_LAB_NAME: 'shop' }), `shop@${hash}`);
});

test('the host trigger adds and removes the block and keeps the rest of the hosts file', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const hosts = join(lab.dir, 'hosts');
  const original = '127.0.0.1\tlocalhost\r\n# mine\r\n10.0.0.1 other';
  writeFileSync(hosts, original);
  const env = { BOXWRIGHT_ALIASES: 'foobar.com' };
  const add = hostFile(lab, 'add', hosts, env);
  t.is(add.status, 0, add.stderr);
  t.is(readFileSync(hosts, 'utf8'), `${original}\r\n${block(blockId(lab), '192.168.56.10 www.foobar.com foobar.com', '\r\n').slice(0, -2)}`);
  hostFile(lab, 'add', hosts, env);
  t.is(readFileSync(hosts, 'utf8').match(/# BEGIN boxwright/g)?.length, 1, 'adding twice keeps one block');
  const remove = hostFile(lab, 'remove', hosts, env);
  t.is(remove.status, 0, remove.stderr);
  t.is(readFileSync(hosts, 'utf8'), original);
});

test('the host trigger prints the line to add by hand when the hosts file cannot be written', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const r = hostFile(lab, 'add', '/nonexistent-dir/hosts', { BOXWRIGHT_IP: '192.168.56.11' });
  t.is(r.status, 0);
  t.regex(r.stdout, /cannot write \/nonexistent-dir\/hosts\. .*by hand:\n {2}192\.168\.56\.11 www\.foobar\.com\n/);
});

test('two labs with the same hostname keep a block each, and destroying one leaves the other\'s', (t) => {
  const [a, b] = twoLabs(t);
  const hosts = join(a.dir, 'hosts');
  const original = '127.0.0.1\tlocalhost\n';
  writeFileSync(hosts, original);
  t.is(hostFile(a, 'add', hosts).status, 0);
  t.is(hostFile(b, 'check', hosts).status, 0, 'the same name on the same address is no conflict');
  t.is(hostFile(b, 'add', hosts).status, 0);
  const entry = '192.168.56.10 www.foobar.com';
  t.not(blockId(a), blockId(b));
  t.is(readFileSync(hosts, 'utf8'), original + block(blockId(a), entry) + block(blockId(b), entry));
  t.is(hostFile(a, 'remove', hosts).status, 0);
  t.is(readFileSync(hosts, 'utf8'), original + block(blockId(b), entry));
});

test('a name another line maps to another address is refused before up, with that line', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const hosts = join(lab.dir, 'hosts');
  const original = '127.0.0.1\tlocalhost\n# old test box\n10.9.9.9\tfoobar.com WWW.foobar.com # stale\n';
  writeFileSync(hosts, original);
  const r = hostFile(lab, 'check', hosts, { BOXWRIGHT_ALIASES: 'foobar.com' });
  t.is(r.status, 2);
  t.true(r.stderr.includes(`foobar.com is already mapped to 10.9.9.9 by ${hosts} line 3: "10.9.9.9\\tfoobar.com WWW.foobar.com # stale"`), r.stderr);
  t.true(r.stderr.includes(`www.foobar.com is already mapped to 10.9.9.9 by ${hosts} line 3`), r.stderr);
  t.regex(r.stderr, /this lab maps it to 192\.168\.56\.10, and the first line wins/);
  t.regex(r.stderr, /Remove that line .*BOXWRIGHT_HOSTNAME, BOXWRIGHT_IP.*BOXWRIGHT_MANAGE_HOSTS=0/s);
  t.is(readFileSync(hosts, 'utf8'), original, 'the hosts file is left alone');
});

test('another lab\'s block that maps the hostname to another address is refused, naming that lab', (t) => {
  const [a, b] = twoLabs(t);
  const hosts = join(a.dir, 'hosts');
  writeFileSync(hosts, '127.0.0.1\tlocalhost\n');
  t.is(hostFile(a, 'add', hosts).status, 0);
  const r = hostFile(b, 'check', hosts, { BOXWRIGHT_IP: '192.168.56.11' });
  t.is(r.status, 2);
  t.true(r.stderr.includes(`www.foobar.com is already mapped to 192.168.56.10 by ${hosts} line 3: "192.168.56.10 www.foobar.com" (in the block of lab ${blockId(a)})`), r.stderr);
});

test('the lab\'s own block is no conflict when its IP changes', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const hosts = join(lab.dir, 'hosts');
  writeFileSync(hosts, '127.0.0.1\tlocalhost\n');
  t.is(hostFile(lab, 'add', hosts).status, 0);
  t.is(hostFile(lab, 'check', hosts, { BOXWRIGHT_IP: '192.168.56.12' }).status, 0);
});

/** Runs vagrant/cli.rb hosts-blocks in a child process; resolves with its exit code and stderr. */
function writeBlocks(lab: TempLab, hosts: string, prefix: string, count: number, startMs: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'hosts-blocks', hosts, prefix, String(count), String(startMs)], { env: cleanEnv() });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('two labs writing the hosts file at the same time never lose a block (x20)', async (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  const hosts = join(lab.dir, 'hosts');
  const count = 20;
  const lost: string[] = [];
  for (let round = 1; round <= 20; round++) {
    writeFileSync(hosts, '127.0.0.1\tlocalhost\n');
    // Both start their writes at the same instant, once both Ruby processes are up.
    const start = Date.now() + 700;
    const results = await Promise.all([writeBlocks(lab, hosts, 'a', count, start), writeBlocks(lab, hosts, 'b', count, start)]);
    for (const r of results) t.is(r.code, 0, r.stderr);
    const text = readFileSync(hosts, 'utf8');
    for (const prefix of ['a', 'b']) {
      for (let i = 1; i <= count; i++) {
        if (!text.includes(block(`${prefix}-${i}`, `10.1.${i}.1 ${prefix}-${i}.test`))) lost.push(`round ${round}: ${prefix}-${i}`);
      }
    }
  }
  t.deepEqual(lost, [], 'every block of both writers is in the file');
});
