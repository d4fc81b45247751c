#!/usr/bin/env node
// Runs the compiled dist/ when it is at least as new as every file of lib/ (an installed package
// has no lib/); otherwise, in a checkout with newer sources, the TypeScript source through tsx, so
// the CLI never lags behind the code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = path.join(root, 'lib', 'cli', 'main.ts');
const compiled = path.join(root, 'dist', 'cli', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const compiledIsCurrent = existsSync(compiled)
  && (!existsSync(source) || statSync(compiled).mtimeMs >= newestMtime(path.join(root, 'lib')));
if (compiledIsCurrent) {
  await import(pathToFileURL(compiled).href);
} else if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  process.stderr.write('boxwright: no compiled dist/ and no lib/ sources; run npm ci (or npm run build)\n');
  process.exit(1);
}
