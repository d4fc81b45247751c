import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ImageSpec } from '../image/types.js';
import { renderContext, type ContextOptions } from './context.js';
import { renderTemplate } from './mustache.js';
import { provisionersDir } from './render-image.js';

/**
 * Renders the in-image check suite (`provisioners/checks/*.sh`) for a spec: file name → script.
 * Run inside the booted VM as root: `verify.sh` asserts the stack and its hardening, `state.sh`
 * prints the hashes of every config file the provisioners write (to prove a second run changes nothing).
 */
export async function renderChecks(spec: ImageSpec, options: ContextOptions): Promise<Map<string, string>> {
  const dir = path.join(provisionersDir(), 'checks');
  const context = renderContext(spec, options);
  const scripts = new Map<string, string>();
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.sh')).sort()) {
    scripts.set(name, renderTemplate(await readFile(path.join(dir, name), 'utf8'), context, 'shell', `checks/${name}`));
  }
  return scripts;
}
