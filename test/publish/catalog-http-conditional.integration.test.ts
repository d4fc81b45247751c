import test from 'ava';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { publishToStore } from '../../lib/publish/catalog.js';
import type { CatalogMetadata } from '../../lib/publish/catalog-metadata.js';
import { HttpStore } from '../../lib/publish/store-http.js';
import { fakeBox, tempDir } from './helpers.js';

/**
 * A real HTTP PUT server (as Artifactory or Apache mod_dav behave) that keeps files in memory,
 * serves strong ETags and honours If-Match / If-None-Match on PUT. `beforeMetadataPut` runs once
 * before the next PUT of metadata.json is judged: "another publisher" writing first.
 */
async function conditionalServer(t: { teardown: (fn: () => Promise<void>) => void }) {
  const files = new Map<string, Buffer>();
  const state = { refused: [] as string[], methods: [] as string[], beforeMetadataPut: undefined as undefined | (() => Promise<void>) };
  const etag = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      state.methods.push(`${req.method} ${path}`);
      if (req.headers.authorization !== 'Bearer tok-conditional-77') return void res.writeHead(401).end();
      const current = files.get(path);
      if (req.method === 'GET' || req.method === 'HEAD') {
        if (!current) return void res.writeHead(404).end();
        res.writeHead(200, { ETag: etag(current), 'Content-Length': current.length, 'Content-Type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
        return void res.end(req.method === 'GET' ? current : undefined);
      }
      if (req.method === 'PUT') {
        if (path.endsWith('/metadata.json') && state.beforeMetadataPut) {
          const run = state.beforeMetadataPut;
          state.beforeMetadataPut = undefined;
          await run();
        }
        const now = files.get(path);
        const ifMatch = req.headers['if-match'];
        const ifNoneMatch = req.headers['if-none-match'];
        if ((ifMatch !== undefined && (!now || etag(now) !== ifMatch)) || (ifNoneMatch === '*' && now)) {
          state.refused.push(path);
          return void res.writeHead(412).end();
        }
        files.set(path, Buffer.concat(chunks));
        return void res.writeHead(now ? 204 : 201).end();
      }
      res.writeHead(405).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cat/`, files, state };
}

test('a server that honours If-Match gets conditional writes; a conflict is refused (412), re-read and merged', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const server = await conditionalServer(t);
  const env = { BOXWRIGHT_PUBLISH_TOKEN: 'tok-conditional-77' };
  const store = () => new HttpStore({ url: server.url, env });
  const lv = await fakeBox(join(dir, 'a'), { provider: 'libvirt' });
  const arm = await fakeBox(join(dir, 'b'), { provider: 'libvirt', content: 'arm64 disk' });
  const vb = await fakeBox(join(dir, 'c'), { provider: 'virtualbox' });
  const entry = { name: 'acme/web', version: '1.0.0' };
  const first = store();
  await publishToStore(first, { ...entry, box: lv.path, provider: 'libvirt' });
  t.is(first.mode, 'conditional');
  server.state.beforeMetadataPut = async () => void (await publishToStore(store(), { ...entry, box: arm.path, provider: 'libvirt', architecture: 'arm64' }));
  const messages: string[] = [];
  await publishToStore(store(), { ...entry, box: vb.path, provider: 'virtualbox', onEvent: (e) => messages.push(e.message) });
  t.deepEqual(server.state.refused.filter((p) => p.endsWith('metadata.json')), ['/cat/metadata.json']);
  t.true(messages.some((m) => /re-reading and merging/.test(m)));
  t.false(server.state.methods.some((m) => m.startsWith('MKCOL')), 'no lock needed');
  const meta = JSON.parse(server.files.get('/cat/metadata.json')!.toString()) as CatalogMetadata;
  t.deepEqual(meta.versions[0]!.providers.map((p) => `${p.name}/${p.architecture}`), ['libvirt/amd64', 'libvirt/arm64', 'virtualbox/amd64']);
  t.true(meta.versions[0]!.providers.every((p) => p.url.startsWith(server.url)), '--base-url defaults to the catalog URL');
});
