// A separate process for the concurrency probe: publishes one box into catalogs c0..c(N-1) of a
// root folder, starting each publish only once the other worker is ready for the same catalog.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { publishToCatalog } from '../../lib/publish/catalog.js';

const [box, provider, root, count, id] = process.argv.slice(2) as [string, string, string, string, string];
for (let i = 0; i < Number(count); i++) {
  await writeFile(join(root, `ready-${i}-${id}`), '');
  while ((await readdir(root)).filter((f) => f.startsWith(`ready-${i}-`)).length < 2) await sleep(1);
  await publishToCatalog({ box, dir: join(root, `c${i}`), baseUrl: 'https://boxes.example.com/x/', name: 'foobar/web', provider, version: '1.0.0' });
}
process.stdout.write('done\n');
