import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A fresh temp folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'boxwright-publish-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Writes a small real box `<name>-<version>.<provider>.box`: a gzip tarball holding metadata.json
 * (`{ provider }`, as `vagrant box add` and the build's layout check want) and a box.img whose
 * bytes are `content` (or `imageBytes` random bytes); plus its sha256sum sidecar unless `sidecar: false`.
 */
export async function fakeBox(
  dir: string,
  options: { name?: string; version?: string; provider?: string; content?: string; imageBytes?: number; sidecar?: boolean } = {},
): Promise<{ path: string; sha256: string }> {
  const { name = 'foobar-web', version = '1.0.0', provider = 'libvirt', sidecar = true } = options;
  const file = `${name}-${version}.${provider}.box`;
  const work = await mkdtemp(join(tmpdir(), 'boxwright-fakebox-'));
  try {
    await writeFile(join(work, 'metadata.json'), JSON.stringify({ provider, format: 'qcow2', virtual_size: 1 }));
    if (options.imageBytes !== undefined) {
      await run('head', ['-c', String(options.imageBytes), '/dev/urandom'], { encoding: 'buffer', maxBuffer: options.imageBytes + 1024 })
        .then(({ stdout }) => writeFile(join(work, 'box.img'), stdout));
    } else {
      await writeFile(join(work, 'box.img'), options.content ?? `box ${version} ${provider}\n`);
    }
    await mkdir(dir, { recursive: true });
    const path = join(dir, file);
    await run('tar', ['-czf', path, '-C', work, 'metadata.json', 'box.img']);
    const digest = sha256(await readFile(path));
    if (sidecar) await writeFile(`${path}.sha256`, `${digest}  ${file}\n`);
    return { path, sha256: digest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The box.img inside a box file, as text (what {@link fakeBox} put there). */
export async function boxContent(box: string): Promise<string> {
  return (await run('tar', ['-xOzf', box, 'box.img'])).stdout;
}
