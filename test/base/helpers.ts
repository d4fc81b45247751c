import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the stand-in base scripts (`test/fixtures/base/<name>`). */
export function fixture(name: 'fake-ok' | 'fake-fail' | 'fake-slow' | 'fake-nohost'): string {
  return fileURLToPath(new URL(`../fixtures/base/${name}/`, import.meta.url));
}

/** The part of an ava test context the helpers use. */
export interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

/** A fresh temporary folder, removed when the test ends. */
export async function tempDir(t: Teardown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bw-base-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A private copy of a fixture folder, safe to modify; removed when the test ends. */
export async function copyFixture(t: Teardown, name: Parameters<typeof fixture>[0]): Promise<string> {
  const dir = path.join(await tempDir(t), name);
  await cp(fixture(name), dir, { recursive: true });
  return dir;
}
