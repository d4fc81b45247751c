import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from '../lib/util/hash.js';
import { repoRoot } from './render/helpers.js';

/** The library scanned (`BOXWRIGHT_LIB_DIR` points the scan at another checkout's lib/). */
const libDir = process.env.BOXWRIGHT_LIB_DIR ?? path.join(repoRoot, 'lib');

/** Every relative import (static, type-only, re-export or dynamic) of a TypeScript source. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) found.push(match[1]!);
  return found;
}

/** The top-level folder of lib/ a file belongs to (`.` for lib/index.ts and lib/errors.ts). */
function folderOf(file: string): string {
  const relative = path.relative(libDir, file).split(path.sep);
  return relative.length > 1 ? relative[0]! : '.';
}

/** Folder → the folders its files import (root files left out: index.ts is the top, errors.ts a leaf). */
async function folderGraph(): Promise<Map<string, Map<string, string>>> {
  const graph = new Map<string, Map<string, string>>();
  for (const relative of (await listFiles(libDir)).filter((file) => file.endsWith('.ts'))) {
    const file = path.join(libDir, relative);
    const from = folderOf(file);
    if (from === '.') continue;
    for (const specifier of relativeImports(await readFile(file, 'utf8'))) {
      const to = folderOf(path.resolve(path.dirname(file), specifier));
      if (to === '.' || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${relative} → ${specifier}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every cycle of the graph (each once), as its edges with the import that makes each one. */
function cycles(graph: Map<string, Map<string, string>>): string[] {
  const found = new Map<string, string>();
  const walk = (start: string, at: string, trail: Array<{ folder: string; step: string }>, seen: Set<string>): void => {
    for (const [next, why] of graph.get(at) ?? []) {
      const here = [...trail, { folder: at, step: `${at} → ${next} (${why})` }];
      if (next === start) {
        const key = here.map((edge) => edge.folder).sort().join(',');
        if (!found.has(key)) found.set(key, here.map((edge) => edge.step).join('\n  '));
      } else if (!seen.has(next)) {
        walk(start, next, here, new Set([...seen, next]));
      }
    }
  };
  for (const start of graph.keys()) walk(start, start, [], new Set([start]));
  return [...found.values()];
}

test('no folder of lib/ imports a folder that imports it back, directly or around a loop', async (t) => {
  const graph = await folderGraph();
  t.true(graph.size >= 8, 'the graph covers the library folders');
  const found = cycles(graph);
  t.deepEqual(found, [], `import cycles between folders:\n  ${found.join('\n\n  ')}`);
});

test('the import scan sees static, type-only, re-exported and dynamic imports', (t) => {
  t.deepEqual(relativeImports([
    "import { a } from '../x/a.js';",
    "import type { B } from './b.js';",
    "export { c } from '../y/c.js';",
    "const d = await import('../z/d.js');",
    "import '../side/effect.js';",
    "import { e } from 'node:fs';",
  ].join('\n')), ['../x/a.js', './b.js', '../y/c.js', '../z/d.js', '../side/effect.js']);
});

test('the plan folder imports nothing that plans: only image, packer, util and errors', async (t) => {
  const graph = await folderGraph();
  t.deepEqual([...(graph.get('plan')?.keys() ?? [])].sort().filter((folder) => !['image', 'packer', 'util'].includes(folder)), []);
});
