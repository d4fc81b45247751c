import test from 'ava';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../../lib/image/defaults.js';
import type { ImageSpec } from '../../lib/image/types.js';
import { labFileFor, serializeLabFile, writeLabFile } from '../../lib/lab/lab-file.js';

const spec: ImageSpec = { ...DEFAULTS, name: 'foobar-web', version: '1.2.3', dir: '/img' };

test('the lab file takes name, hostname, IP and resources from the spec', (t) => {
  const lab = labFileFor(spec, { boxPath: '/x/out/foobar-web-1.2.3.libvirt.box', provider: 'libvirt' });
  t.deepEqual(lab, {
    box: { name: 'foobar-web', path: 'foobar-web-1.2.3.libvirt.box', provider: 'libvirt' },
    hostname: 'www.foobar.com',
    aliases: [],
    ip: '192.168.56.10',
    cpus: 2,
    memory: 1024,
    accelerator: 'auto',
  });
});

test('the box path is relative to the folder of lab.json', (t) => {
  const lab = labFileFor(
    { ...spec, aliases: ['foobar.com'], build: { ...spec.build, accelerator: 'tcg' } },
    { boxPath: '/x/out/boxes/a.box', provider: 'virtualbox', outDir: '/x/out' },
  );
  t.is(lab.box.path, 'boxes/a.box');
  t.is(lab.box.provider, 'virtualbox');
  t.deepEqual(lab.aliases, ['foobar.com']);
  t.is(lab.accelerator, 'tcg');
});

test('writing the lab file leaves exactly lab.json with the serialized content', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bw-lab-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lab = labFileFor(spec, { boxPath: join(dir, 'out', 'b.box'), provider: 'libvirt' });
  const written = await writeLabFile(join(dir, 'out'), lab);
  t.is(written, join(dir, 'out', 'lab.json'));
  t.deepEqual(await readdir(join(dir, 'out')), ['lab.json']);
  const text = await readFile(written, 'utf8');
  t.is(text, serializeLabFile(lab));
  t.true(text.endsWith('}\n'));
  t.deepEqual(JSON.parse(text), lab);
});

test('writing the lab file twice replaces it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bw-lab-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lab = labFileFor(spec, { boxPath: join(dir, 'b.box'), provider: 'libvirt' });
  await writeLabFile(dir, lab);
  await writeLabFile(dir, { ...lab, ip: '192.168.56.20' });
  t.is((JSON.parse(await readFile(join(dir, 'lab.json'), 'utf8')) as { ip: string }).ip, '192.168.56.20');
  t.deepEqual(await readdir(dir), ['lab.json']);
});
