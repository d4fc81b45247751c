import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { validateRendered } from '../../lib/builder/validate-rendered.js';
import { locatePacker } from '../../lib/packer/locate.js';
import { loadImage } from '../../lib/image/load.js';
import { BASE_NAMES } from '../../lib/image/rules.js';
import type { BaseName, ImageSpec, Provider } from '../../lib/image/types.js';
import { HOST, repoRoot, testCacheDir } from '../render/helpers.js';

const packerPath = await locatePacker().catch(() => undefined);
const withPacker = packerPath ? test : test.skip;
if (!packerPath) {
  test.skip('packer validate of every image, provider, base and kind (skipped: packer is not installed; apt-get install packer or set PACKER_PATH)', () => {});
}

/** Every image folder under images/ (those holding an image.json). */
const imagesDir = path.join(repoRoot, 'images');
const images: ImageSpec[] = [];
for (const entry of (await readdir(imagesDir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
  if (existsSync(path.join(imagesDir, entry.name, 'image.json'))) images.push(await loadImage(path.join(imagesDir, entry.name)));
}

/** Kinds a combination supports: vm always; chroot for a mirror base on libvirt. */
function kindsFor(provider: Provider, base: BaseName): Array<'vm' | 'chroot'> {
  return provider === 'libvirt' && (base === 'debian-12' || base === 'debian-13') ? ['vm', 'chroot'] : ['vm'];
}

test('there is at least one image to validate', (t) => {
  t.true(images.length > 0);
});

for (const spec of images) {
  for (const provider of (['libvirt', 'virtualbox'] as const).filter((p) => spec.providers.includes(p))) {
    for (const base of BASE_NAMES) {
      for (const kind of kindsFor(provider, base)) {
        withPacker(`packer validate accepts ${spec.name} for ${provider} on ${base} as a ${kind} build`, async (t) => {
          const result = await validateRendered(spec, { provider, base, kind, host: HOST, cacheDir: testCacheDir, ...(packerPath ? { packerPath } : {}) });
          t.deepEqual([result.provider, result.os, result.kind], [provider, base, kind]);
          t.regex(result.inputsHash, /^[0-9a-f]{64}$/);
          t.regex(result.packerVersion, /^\d+\.\d+\.\d+/);
        });
      }
    }
  }
}

/** The CLI, as a user runs it. */
function cli(...args: string[]) {
  return execa('node', ['bin/boxwright.js', ...args], { cwd: repoRoot, reject: false, env: { BOXWRIGHT_CACHE: testCacheDir } });
}

for (const [what, args, reason] of [
  ['virtualbox', ['--provider', 'virtualbox', '--base', 'debian-12'], /libvirt boxes only/],
  ['the ubuntu cloud image', ['--provider', 'libvirt', '--base', 'ubuntu-24.04'], /cloud image/],
] as const) {
  withPacker(`boxwright validate refuses a chroot build for ${what} with exit 2`, async (t) => {
    const result = await cli('validate', 'images/foobar-web', ...args, '--kind', 'chroot');
    t.is(result.exitCode, 2, result.stderr);
    t.regex(result.stderr, /build\.kind "chroot" cannot be used/);
    t.regex(result.stderr, reason);
    t.is(result.stdout, '');
  });
}

withPacker('boxwright validate of the sample image passes with exit 0', async (t) => {
  const result = await cli('validate', 'images/foobar-web', '--provider', 'libvirt', '--base', 'debian-12', '--kind', 'vm');
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^valid: foobar-web \S+ \(vm, libvirt, debian-12, packer \d/);
});
