#!/usr/bin/env node
// In a git checkout (lib/ present, tsx installed) the TypeScript source runs, so the CLI never lags
// behind the code; an installed package runs its compiled dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../lib/cli/main.ts', import.meta.url));
const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
let useSource = existsSync(source);
if (useSource) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    useSource = false;
  }
}
if (useSource) {
  await import(pathToFileURL(source).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write('boxwright: neither lib/ with tsx nor a compiled dist/ was found; run npm ci\n');
  process.exit(1);
}
