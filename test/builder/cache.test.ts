import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { readCachedBuild } from '../../lib/builder/cache.js';
import { MANIFEST_FILE } from '../../lib/builder/manifest.js';
import { tempRoot } from '../render/helpers.js';

const temp = await tempRoot('boxwright-cache-');
test.after.always(() => temp.cleanup());

const BOX = 'foobar-web-0.1.0.libvirt.box';
const INPUTS = 'a'.repeat(64);
const CONTENT = Buffer.from('a small fake box: not a tarball, but bytes with a known sha256\n');
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

interface Fake {
  manifest?: Record<string, unknown> | string | null;
  box?: Buffer | null;
  sidecar?: string | null;
}

let counter = 0;
/** An out folder holding a manifest, a box and its .sha256, each replaceable (null: left out). */
async function outDir(fake: Fake = {}): Promise<string> {
  counter += 1;
  const dir = path.join(temp.dir, `out-${counter}`);
  await mkdir(dir);
  const box = fake.box === undefined ? CONTENT : fake.box;
  const manifest = fake.manifest === undefined
    ? { format: 1, inputsHash: INPUTS, box: { file: BOX, sha256: sha256(CONTENT), size: CONTENT.length }, timings: { totalMs: 1234 } }
    : fake.manifest;
  const sidecar = fake.sidecar === undefined ? `${sha256(CONTENT)}  ${BOX}\n` : fake.sidecar;
  if (manifest !== null) await writeFile(path.join(dir, MANIFEST_FILE), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  if (box !== null) await writeFile(path.join(dir, BOX), box);
  if (sidecar !== null) await writeFile(path.join(dir, `${BOX}.sha256`), sidecar);
  return dir;
}

test('an earlier build with the same inputs hash and an intact box is a hit', async (t) => {
  t.deepEqual(await readCachedBuild(await outDir(), BOX, INPUTS), { sha256: sha256(CONTENT), size: CONTENT.length, timings: { totalMs: 1234 } });
});

test('another inputs hash is no hit', async (t) => {
  t.is(await readCachedBuild(await outDir(), BOX, 'b'.repeat(64)), undefined);
});

test('another box name (provider or version) is no hit', async (t) => {
  t.is(await readCachedBuild(await outDir(), 'foobar-web-0.1.0.virtualbox.box', INPUTS), undefined);
});

test('a box with one byte changed is no hit', async (t) => {
  const tampered = Buffer.from(CONTENT);
  tampered[5] = (tampered[5] ?? 0) ^ 0x01;
  t.is(tampered.length, CONTENT.length);
  t.is(await readCachedBuild(await outDir({ box: tampered }), BOX, INPUTS), undefined);
});

test('a box of another size is no hit', async (t) => {
  t.is(await readCachedBuild(await outDir({ box: Buffer.concat([CONTENT, Buffer.from('x')]) }), BOX, INPUTS), undefined);
});

test('a missing box is no hit', async (t) => {
  t.is(await readCachedBuild(await outDir({ box: null }), BOX, INPUTS), undefined);
});

test('a missing .sha256 file is no hit', async (t) => {
  t.is(await readCachedBuild(await outDir({ sidecar: null }), BOX, INPUTS), undefined);
});

test('a .sha256 file with another digest is no hit', async (t) => {
  t.is(await readCachedBuild(await outDir({ sidecar: `${'0'.repeat(64)}  ${BOX}\n` }), BOX, INPUTS), undefined);
});

test('a manifest whose recorded size is wrong is no hit', async (t) => {
  const manifest = { inputsHash: INPUTS, box: { file: BOX, sha256: sha256(CONTENT), size: CONTENT.length + 1 }, timings: {} };
  t.is(await readCachedBuild(await outDir({ manifest }), BOX, INPUTS), undefined);
});

test('a missing manifest is no hit', async (t) => {
  t.is(await readCachedBuild(await outDir({ manifest: null }), BOX, INPUTS), undefined);
});

test('a manifest that is not JSON is no hit', async (t) => {
  t.is(await readCachedBuild(await outDir({ manifest: '{"inputsHash": "aaa' }), BOX, INPUTS), undefined);
});

test('a manifest without a box record is no hit', async (t) => {
  t.is(await readCachedBuild(await outDir({ manifest: { inputsHash: INPUTS } }), BOX, INPUTS), undefined);
});

test('an out folder that does not exist is no hit', async (t) => {
  const dir = await outDir();
  await rm(dir, { recursive: true });
  t.is(await readCachedBuild(dir, BOX, INPUTS), undefined);
});

// Known gap (reported): JSON.parse('null') succeeds, then `manifest.inputsHash` throws a TypeError.
test('a manifest that is JSON null is no hit rather than a crash', async (t) => {
  t.is(await readCachedBuild(await outDir({ manifest: 'null' }), BOX, INPUTS), undefined);
});
