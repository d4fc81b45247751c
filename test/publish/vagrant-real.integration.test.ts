import test from 'ava';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { publishToCatalog } from '../../lib/publish/catalog.js';
import { sha256, tempDir } from './helpers.js';

const run = promisify(execFile);

async function hasVagrant(): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v vagrant']);
    return true;
  } catch {
    return false;
  }
}

const vagrantTest = (await hasVagrant()) ? test.serial : test.serial.skip;

/** A minimal libvirt box: a gzipped tar with metadata.json and a tiny box.img. */
async function makeBox(dir: string, version: string): Promise<string> {
  const work = join(dir, `src-${version}`);
  await mkdir(work, { recursive: true });
  await writeFile(join(work, 'metadata.json'), JSON.stringify({ provider: 'libvirt', format: 'qcow2', virtual_size: 1 }));
  await writeFile(join(work, 'box.img'), `not a real disk ${version}\n`);
  const box = join(dir, `foobar-web-${version}.libvirt.box`);
  await run('tar', ['-czf', box, '-C', work, 'metadata.json', 'box.img']);
  await writeFile(`${box}.sha256`, `${sha256(await readFile(box))}  foobar-web-${version}.libvirt.box\n`);
  return box;
}

/** Serves `root` on 127.0.0.1 (metadata.json as application/json, as Vagrant requires). */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(root + sep)) return void res.writeHead(403).end();
    try {
      const info = await stat(path);
      res.writeHead(200, {
        'Content-Type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        'Content-Length': info.size,
      });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(path).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

function vagrant(args: string[], home: string) {
  return run('vagrant', args, {
    env: { ...process.env, VAGRANT_HOME: home, VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_NO_COLOR: '1' },
    timeout: 120_000,
  });
}

vagrantTest('vagrant box add accepts a published catalog and refuses a tampered checksum', async (t) => {
  t.timeout(300_000);
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const catalog = join(dir, 'catalog');
  await mkdir(catalog);
  const { server, url } = await serve(catalog);
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const version of ['1.0.0', '1.1.0']) {
    const box = await makeBox(dir, version);
    await publishToCatalog({ box, dir: catalog, baseUrl: url, name: 'acme/foobar-web', description: 'test box', provider: 'libvirt', version });
  }

  const home = join(dir, 'vagrant-home');
  await vagrant(['box', 'add', '--provider', 'libvirt', `${url}metadata.json`], home);
  await vagrant(['box', 'add', '--provider', 'libvirt', '--box-version', '1.0.0', `${url}metadata.json`], home);
  const { stdout } = await vagrant(['box', 'list'], home);
  t.regex(stdout, /acme\/foobar-web\s+\(libvirt, 1\.0\.0/);
  t.regex(stdout, /acme\/foobar-web\s+\(libvirt, 1\.1\.0/);

  // Tamper the checksum of 1.1.0: a fresh VAGRANT_HOME must refuse the download.
  const metaPath = join(catalog, 'metadata.json');
  const meta = JSON.parse(await readFile(metaPath, 'utf8'));
  meta.versions.find((v: { version: string }) => v.version === '1.1.0').providers[0].checksum = '0'.repeat(64);
  await writeFile(metaPath, JSON.stringify(meta));
  const fresh = join(dir, 'vagrant-home-2');
  const error = await t.throwsAsync(vagrant(['box', 'add', '--provider', 'libvirt', `${url}metadata.json`], fresh));
  t.regex(`${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`, /checksum/i);
  const after = await vagrant(['box', 'list'], fresh);
  t.notRegex(after.stdout, /foobar-web/);
});
