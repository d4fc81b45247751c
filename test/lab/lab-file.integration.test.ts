import test from 'ava';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { chooseAccelerator } from '../../lib/plan/host.js';
import { DEFAULTS } from '../../lib/image/defaults.js';
import type { ImageSpec } from '../../lib/image/types.js';
import { LAB_FILE_FORMAT, labFileFor, serializeLabFile, writeLabFile, type ResolvedAccelerator } from '../../lib/lab/lab-file.js';
import { cleanEnv, makeTempLab, root, rubySettings, run } from './helpers.js';

const spec: ImageSpec = { ...DEFAULTS, name: 'foobar-web', version: '1.2.3', dir: '/img' };

interface AcceleratorTable {
  auto: Array<{ host: { kvmDevice: boolean; nestedPvm: boolean }; choice: ResolvedAccelerator }>;
  cpuModel: Array<{ accelerator: ResolvedAccelerator; cpuModel: string | null }>;
}
const table = JSON.parse(readFileSync(join(root, 'test/fixtures/values/accelerator.json'), 'utf8')) as AcceleratorTable;

test('the lab file takes name, hostname, IP and resources from the spec', (t) => {
  const lab = labFileFor(spec, { boxPath: '/x/out/foobar-web-1.2.3.libvirt.box', provider: 'libvirt', accelerator: 'tcg' });
  t.deepEqual(lab, {
    format: LAB_FILE_FORMAT,
    box: { name: 'foobar-web', path: 'foobar-web-1.2.3.libvirt.box', provider: 'libvirt' },
    hostname: 'www.foobar.com',
    aliases: [],
    ip: '192.168.56.10',
    cpus: 2,
    memory: 1024,
    accelerator: 'tcg',
    cpuModel: 'qemu64',
  });
});

test('the box path is relative to the folder of lab.json', (t) => {
  const lab = labFileFor(
    { ...spec, aliases: ['foobar.com'] },
    { boxPath: '/x/out/boxes/a.box', provider: 'virtualbox', outDir: '/x/out', accelerator: 'kvm' },
  );
  t.is(lab.box.path, 'boxes/a.box');
  t.is(lab.box.provider, 'virtualbox');
  t.deepEqual(lab.aliases, ['foobar.com']);
  t.is(lab.accelerator, 'kvm');
});

for (const c of table.auto) {
  test(`the build resolves accelerator auto on ${JSON.stringify(c.host)} as the shared table says (${c.choice})`, (t) => {
    t.is(chooseAccelerator('auto', { ...c.host, root: false }), c.choice);
  });
}

for (const c of table.cpuModel) {
  test(`the lab file's CPU model under ${c.accelerator} is the shared table's (${String(c.cpuModel)})`, (t) => {
    t.is(labFileFor(spec, { boxPath: '/x/b.box', provider: 'libvirt', accelerator: c.accelerator }).cpuModel, c.cpuModel);
  });
}

for (const accelerator of ['kvm', 'tcg'] as const) {
  test(`the Vagrantfile boots a build's lab.json resolved to ${accelerator} as written, whatever this host offers`, async (t) => {
    const lab = makeTempLab();
    t.teardown(lab.cleanup);
    await writeLabFile(join(lab.dir, 'out'), labFileFor(spec, { boxPath: join(lab.dir, 'out', 'b.box'), provider: 'libvirt', accelerator }));
    const s = rubySettings(lab.dir);
    t.is(s.effective_accelerator, accelerator);
    t.like(s.sources as object, { accelerator: join(lab.dir, 'out', 'lab.json'), cpu_model: join(lab.dir, 'out', 'lab.json') });
    t.deepEqual(s.libvirt, accelerator === 'kvm'
      ? { driver: 'kvm', cpu_mode: 'host-passthrough', cpu_model: null }
      : { driver: 'qemu', cpu_mode: 'custom', cpu_model: 'qemu64' });
  });
}

test('the Vagrantfile refuses a lab.json of a newer format with the fix', (t) => {
  const lab = makeTempLab();
  t.teardown(lab.cleanup);
  lab.writeJson('out/lab.json', { format: LAB_FILE_FORMAT + 1, hostname: 'www.foobar.com' });
  const r = run('ruby', [join(lab.dir, 'vagrant/cli.rb'), 'settings', lab.dir], { env: cleanEnv() });
  t.is(r.status, 2);
  t.regex(r.stderr, new RegExp(`format ${LAB_FILE_FORMAT + 1}; this Vagrantfile reads formats 1-${LAB_FILE_FORMAT}\\. Update Boxwright`));
});

test('writing the lab file leaves exactly lab.json with the serialized content', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bw-lab-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lab = labFileFor(spec, { boxPath: join(dir, 'out', 'b.box'), provider: 'libvirt', accelerator: 'tcg' });
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
  const lab = labFileFor(spec, { boxPath: join(dir, 'b.box'), provider: 'libvirt', accelerator: 'tcg' });
  await writeLabFile(dir, lab);
  await writeLabFile(dir, { ...lab, ip: '192.168.56.20' });
  t.is((JSON.parse(await readFile(join(dir, 'lab.json'), 'utf8')) as { ip: string }).ip, '192.168.56.20');
  t.deepEqual(await readdir(dir), ['lab.json']);
});
