import test from 'ava';
import { execa } from 'execa';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publishBox } from '../../lib/publish/index.js';
import { buildStack, e2eEnabled } from './support.js';

const hasVagrant = (await execa('vagrant', ['--version'], { reject: false })).exitCode === 0;
const e2e = e2eEnabled && hasVagrant ? test.serial : test.serial.skip;

/** A static file server on 127.0.0.1 that serves metadata.json as application/json. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    stat(file).then((info) => {
      res.writeHead(200, { 'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'Content-Length': info.size });
      createReadStream(file).pipe(res);
    }, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

e2e('[e2e] the CI-built box published to a catalog is accepted by vagrant box add, and a tampered checksum is refused', async (t) => {
  const build = await buildStack('chroot', (line) => t.log(line));
  const root = await mkdtemp(path.join(tmpdir(), 'bw-catalog-'));
  const vagrantHome = await mkdtemp(path.join(tmpdir(), 'bw-vagrant-home-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  t.teardown(() => rm(vagrantHome, { recursive: true, force: true }));
  const { server, url } = await serve(root);
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const catalogDir = path.join(root, 'foobar-web');
  const result = await publishBox({ box: build.box, target: { kind: 'catalog', dir: catalogDir, baseUrl: `${url}/foobar-web/` } });
  t.is(result.checksum, build.sha256);
  const env = { ...process.env, VAGRANT_HOME: vagrantHome, VAGRANT_CHECKPOINT_DISABLE: '1' };
  const added = await execa('vagrant', ['box', 'add', '--provider', 'libvirt', `${url}/foobar-web/metadata.json`], { env, reject: false });
  t.is(added.exitCode, 0, added.stderr || added.stdout);
  const list = await execa('vagrant', ['box', 'list'], { env });
  t.regex(list.stdout, /foobar-web\s+\(libvirt, 0\.1\.0/);

  const metadataFile = path.join(catalogDir, 'metadata.json');
  await writeFile(metadataFile, (await readFile(metadataFile, 'utf8')).replace(build.sha256, '0'.repeat(64)));
  await execa('vagrant', ['box', 'remove', '--force', 'foobar-web'], { env });
  const refused = await execa('vagrant', ['box', 'add', '--provider', 'libvirt', `${url}/foobar-web/metadata.json`], { env, reject: false });
  t.not(refused.exitCode, 0);
  t.regex(`${refused.stdout}\n${refused.stderr}`, /checksum/i);
});
