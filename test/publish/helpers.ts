import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'boxwright-publish-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes `<name>-<version>.<provider>.box` (plus its sha256sum sidecar unless `sidecar: false`). */
export async function fakeBox(
  dir: string,
  options: { name?: string; version?: string; provider?: string; content?: string; sidecar?: boolean } = {},
): Promise<{ path: string; sha256: string }> {
  const { name = 'foobar-web', version = '1.0.0', provider = 'libvirt', sidecar = true } = options;
  const content = options.content ?? `box ${version} ${provider}`;
  const file = `${name}-${version}.${provider}.box`;
  const path = join(dir, file);
  await writeFile(path, content);
  const digest = sha256(content);
  if (sidecar) await writeFile(`${path}.sha256`, `${digest}  ${file}\n`);
  return { path, sha256: digest };
}
