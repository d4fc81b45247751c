import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publishToCatalog } from '../../lib/publish/catalog.js';
import type { CatalogMetadata } from '../../lib/publish/catalog-metadata.js';
import { fakeBox, tempDir } from './helpers.js';

const run = promisify(execFile);
const ROUNDS = 40;

// Issue 14, row 1: 5 of 40 runs said ok twice and lost one provider.
test(`probe 1: two publishes of two providers into one version, started together in two processes ×${ROUNDS}, both end in metadata.json`, async (t) => {
  t.timeout(180_000);
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const libvirt = await fakeBox(join(dir, 'out'), { provider: 'libvirt' });
  const vbox = await fakeBox(join(dir, 'out'), { provider: 'virtualbox' });
  const worker = new URL('./concurrent-worker.ts', import.meta.url).pathname;
  const spawn = (box: string, provider: string, id: string) => run(process.execPath, ['--import=tsx', worker, box, provider, dir, String(ROUNDS), id], { timeout: 170_000 });
  const [a, b] = await Promise.all([spawn(libvirt.path, 'libvirt', 'a'), spawn(vbox.path, 'virtualbox', 'b')]);
  t.is(a.stdout, 'done\n');
  t.is(b.stdout, 'done\n');
  const lost: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const meta = JSON.parse(await readFile(join(dir, `c${i}`, 'metadata.json'), 'utf8')) as CatalogMetadata;
    const names = meta.versions.flatMap((v) => v.providers.map((p) => p.name)).sort();
    if (names.join() !== 'libvirt,virtualbox') lost.push(i);
  }
  t.deepEqual(lost, [], 'rounds that lost a provider');
});

test('two publishes in one process into one folder both end in metadata.json', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const boxes = await Promise.all(['libvirt', 'virtualbox'].map((provider) => fakeBox(join(dir, 'out'), { provider })));
  const catalog = join(dir, 'cat');
  await Promise.all(boxes.map((box, i) => publishToCatalog({ box: box.path, dir: catalog, baseUrl: 'https://x.example/', name: 'n', provider: i === 0 ? 'libvirt' : 'virtualbox', version: '1.0.0' })));
  const meta = JSON.parse(await readFile(join(catalog, 'metadata.json'), 'utf8')) as CatalogMetadata;
  t.deepEqual(meta.versions[0]!.providers.map((p) => p.name), ['libvirt', 'virtualbox']);
});
