import { chmod, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The stack image of the repository. */
export const stackImage = fileURLToPath(new URL('../../images/foobar-web/', import.meta.url));

/** A fixture of this folder. */
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

/** A temp copy of images/foobar-web (without node_modules), removed after the test. */
export async function copyStackImage(t: Teardown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bw-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const image = path.join(dir, 'foobar-web');
  await cp(stackImage, image, { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' && path.basename(src) !== 'boxwright.lock.json' });
  return image;
}

/** A stand-in `packer` that reports `version`, removed after the test. */
export async function fakePacker(t: Teardown, version: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bw-fake-packer-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'packer');
  await writeFile(file, `#!/bin/sh\necho "Packer v${version}"\n`);
  await chmod(file, 0o755);
  return file;
}

/** Collects what a command writes. */
export function captureIo(): { stdout: { write(text: string): boolean }; stderr: { write(text: string): boolean }; out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => { out += text; return true; } },
    stderr: { write: (text: string) => { err += text; return true; } },
    out: () => out,
    err: () => err,
  };
}
