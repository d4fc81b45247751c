import test from 'ava';
import { capabilitiesFor, PACKER_PLUGIN_PINS, PACKER_PLUGIN_SOURCES } from '../../lib/packer/capabilities.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKER_1_6_6, planBuild, type BuildPlan, type PackerFeatures, type PlanOptions } from '../../lib/plan/plan.js';
import { provisionersDir, readScripts } from '../../lib/plan/scripts.js';
import { composeTemplate, templateText, type PackerTemplate } from '../../lib/template/compose.js';
import type { BaseName, Provider } from '../../lib/image/types.js';
import { HOST, sampleSpec } from '../render/helpers.js';

/** Every provisioner the repository ships, in run order, with the phase its header declares. */
const SCRIPTS = await readScripts();

type Options = PlanOptions;

/** The sample image's version (box file names carry it). */
const { version: imageVersion } = await sampleSpec();

async function planOf(options: Options = {}, specChange: Parameters<typeof sampleSpec>[0] = {}): Promise<BuildPlan> {
  return planBuild(await sampleSpec(specChange), { host: HOST, ...options });
}

async function templateOf(options: Options = {}, specChange: Parameters<typeof sampleSpec>[0] = {}): Promise<PackerTemplate> {
  return composeTemplate(await planOf(options, specChange));
}

/** Loose view of a template for reading nested blocks in assertions. */
type Json = Record<string, any>;

/** Every combination the product supports (chroot only where it is allowed). */
const COMBINATIONS: Array<{ provider: Provider; base: BaseName; kind: 'vm' | 'chroot' }> = [
  { provider: 'libvirt', base: 'debian-12', kind: 'vm' },
  { provider: 'libvirt', base: 'debian-12', kind: 'chroot' },
  { provider: 'libvirt', base: 'ubuntu-24.04', kind: 'vm' },
  { provider: 'virtualbox', base: 'debian-12', kind: 'vm' },
  { provider: 'virtualbox', base: 'ubuntu-24.04', kind: 'vm' },
];
const label = (c: { provider: string; base: string; kind: string }): string => `${c.provider}/${c.base}/${c.kind}`;

/** Every string anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

test('composing the same plan twice gives the same JSON, key order included', async (t) => {
  for (const combination of COMBINATIONS) {
    const plan = await planOf(combination);
    const first = JSON.stringify(composeTemplate(plan));
    t.is(JSON.stringify(composeTemplate(plan)), first, label(combination));
    t.is(JSON.stringify(composeTemplate(await planOf(combination))), first, `${label(combination)} from a fresh plan`);
  }
});

test('the template text is two-space JSON with a final newline', async (t) => {
  const template = await templateOf({ base: 'debian-12', kind: 'vm' });
  const text = templateText(template);
  t.true(text.endsWith('}\n'));
  t.deepEqual(JSON.parse(text), template);
  t.true(text.includes('\n  "packer": {'));
});

test('for packer 1.6.6 the packer block has required_version only and no required_plugins', async (t) => {
  for (const combination of COMBINATIONS) {
    const template = await templateOf({ ...combination, packer: PACKER_1_6_6 }) as Json;
    t.deepEqual(template.packer, { required_version: '>= 1.6.6' }, label(combination));
    t.false(templateText(template).includes('required_plugins'), label(combination));
  }
});

test('the default plan targets packer 1.6.6', async (t) => {
  const template = await templateOf({ base: 'debian-12', kind: 'vm' }) as Json;
  t.false('required_plugins' in template.packer);
});

for (const version of ['1.7.0', '1.9.4', '1.10.0', '1.11.2', '1.12.0-dev']) {
  test(`for packer ${version} every needed plugin is pinned exactly with "= X.Y.Z"`, async (t) => {
    const packer: PackerFeatures = capabilitiesFor(version);
    t.true(packer.requiredPlugins);
    for (const combination of COMBINATIONS) {
      const template = await templateOf({ ...combination, packer }) as Json;
      const blocks = template.packer.required_plugins as Array<Record<string, { source: string; version: string }>>;
      t.is(blocks.length, 1);
      const plugins = blocks[0] ?? {};
      const expected = combination.kind === 'chroot' ? ['vagrant'] : [combination.provider === 'virtualbox' ? 'virtualbox' : 'qemu', 'vagrant'].sort();
      t.deepEqual(Object.keys(plugins), expected, label(combination));
      for (const [name, plugin] of Object.entries(plugins)) {
        t.regex(plugin.version, /^= \d+\.\d+\.\d+$/, `${name} must be pinned exactly`);
        t.is(plugin.version, `= ${PACKER_PLUGIN_PINS[name as keyof typeof PACKER_PLUGIN_PINS]}`);
        t.is(plugin.source, PACKER_PLUGIN_SOURCES[name as keyof typeof PACKER_PLUGIN_SOURCES]);
      }
      t.notRegex(JSON.stringify(plugins), />=|~>|\^/, 'no range constraint on a plugin');
    }
  });
}

test('the qemu source binds SSH forwarding and VNC to 127.0.0.1', async (t) => {
  for (const base of ['debian-12', 'ubuntu-24.04'] as const) {
    const template = await templateOf({ provider: 'libvirt', base, kind: 'vm' }) as Json;
    const source = template.source.qemu['foobar-web'];
    t.is(source.vnc_bind_address, '127.0.0.1');
    const netdev = (source.qemuargs as string[][]).find((arg) => arg[0] === '-netdev');
    t.truthy(netdev);
    t.regex(netdev?.[1] ?? '', /hostfwd=tcp:127\.0\.0\.1:\{\{ \.SSHHostPort \}\}-:22/);
    t.notRegex(JSON.stringify(source), /0\.0\.0\.0/);
  }
});

test('the qemu source sets disk_size explicitly from vm.diskSize', async (t) => {
  const source = ((await templateOf({ provider: 'libvirt', base: 'debian-12', kind: 'vm' }, { vm: { diskSize: 12288 } })) as Json).source.qemu['foobar-web'];
  t.is(source.disk_size, '12288M');
  t.true(source.disk_image);
  t.is(source.format, 'qcow2');
});

test('the throw-away build VM skips host flushes (disk_cache unsafe) and trims through discard', async (t) => {
  const source = ((await templateOf({ provider: 'libvirt', base: 'debian-12', kind: 'vm' })) as Json).source.qemu['foobar-web'];
  t.is(source.disk_cache, 'unsafe');
  t.is(source.disk_discard, 'unmap');
  t.false(source.disk_compression);
});

test('the qemu source uses the planned accelerator: tcg with -cpu qemu64 where KVM cannot boot a guest', async (t) => {
  const plan = await planOf({ provider: 'libvirt', base: 'debian-12', kind: 'vm', accelerator: 'auto' });
  t.is(plan.accelerator, 'tcg');
  const source = (composeTemplate(plan) as Json).source.qemu['foobar-web'];
  t.is(source.accelerator, 'tcg');
  t.deepEqual((source.qemuargs as string[][]).find((arg) => arg[0] === '-cpu'), ['-cpu', 'qemu64']);
});

test('the qemu source uses kvm with the host CPU where KVM works', async (t) => {
  const plan = await planOf({ provider: 'libvirt', base: 'debian-12', kind: 'vm', accelerator: 'auto', host: { kvmDevice: true, nestedPvm: false, root: true } });
  t.is(plan.accelerator, 'kvm');
  const source = (composeTemplate(plan) as Json).source.qemu['foobar-web'];
  t.is(source.accelerator, 'kvm');
  t.deepEqual((source.qemuargs as string[][]).find((arg) => arg[0] === '-cpu'), ['-cpu', 'host']);
});

test('the qemu source boots the pinned ubuntu image with the NoCloud seed on a cidata CD', async (t) => {
  const source = ((await templateOf({ provider: 'libvirt', base: 'ubuntu-24.04', kind: 'vm' })) as Json).source.qemu['foobar-web'];
  t.regex(source.iso_url, /^https:\/\/cloud-images\.ubuntu\.com\/releases\/noble\/release-\d{8}\//);
  t.regex(source.iso_checksum, /^sha256:[0-9a-f]{64}$/);
  t.deepEqual(source.cd_files, ['seed/meta-data', 'seed/user-data']);
  t.is(source.cd_label, 'cidata');
});

test('the qemu source boots the mirror-bootstrapped debian disk, checked by its sha256 file', async (t) => {
  const source = ((await templateOf({ provider: 'libvirt', base: 'debian-12', kind: 'vm' })) as Json).source.qemu['foobar-web'];
  t.is(source.iso_url, 'base/debian-12.qcow2');
  t.is(source.iso_checksum, 'file:base/debian-12.qcow2.sha256');
  t.false('cd_files' in source);
});

test('the virtualbox-ovf source forwards SSH on 127.0.0.1 only', async (t) => {
  for (const base of ['debian-12', 'ubuntu-24.04'] as const) {
    const template = await templateOf({ provider: 'virtualbox', base, kind: 'vm' }) as Json;
    t.deepEqual(Object.keys(template.source), ['virtualbox-ovf']);
    const source = template.source['virtualbox-ovf']['foobar-web'];
    const rules = (source.vboxmanage as string[][]).filter((command) => command.includes('--natpf1'));
    t.deepEqual(rules, [
      ['modifyvm', '{{ .Name }}', '--natpf1', 'delete', 'packercomm'],
      ['modifyvm', '{{ .Name }}', '--natpf1', 'packercomm,tcp,127.0.0.1,{{ .SSHHostPort }},,22'],
    ]);
    t.is(source.guest_additions_mode, 'disable');
    t.deepEqual(template.build.sources, ['source.virtualbox-ovf.foobar-web']);
  }
});

test('the virtualbox-ovf source takes cpus and memory from the spec', async (t) => {
  const source = ((await templateOf({ provider: 'virtualbox', base: 'debian-12', kind: 'vm' }, { vm: { cpus: 3, memory: 3072 } })) as Json).source['virtualbox-ovf']['foobar-web'];
  t.true((source.vboxmanage as string[][]).some((c) => c.join(' ') === 'modifyvm {{ .Name }} --cpus 3'));
  t.true((source.vboxmanage as string[][]).some((c) => c.join(' ') === 'modifyvm {{ .Name }} --memory 3072'));
});

test('the chroot kind uses a null source, shell-local provisioners and an artifice post-processor', async (t) => {
  const template = await templateOf({ provider: 'libvirt', base: 'debian-12', kind: 'chroot' }, { vm: { diskSize: 9000 } }) as Json;
  t.deepEqual(template.source, { null: { 'foobar-web': { communicator: 'none' } } });
  t.deepEqual(template.build.sources, ['source.null.foobar-web']);
  const provisioners = template.build.provisioner as Json[];
  for (const block of provisioners) t.deepEqual(Object.keys(block), ['shell-local']);
  const lines = provisioners.map((block) => (block['shell-local'].inline as string[]).join(';'));
  t.is(lines[0], 'bash helpers/chroot.sh prepare base/debian-12.rootfs.tar');
  t.true(lines.includes('bash helpers/chroot.sh run scripts/00-apt.sh'));
  t.true(lines.includes('bash helpers/chroot.sh packages /var/lib/boxwright/packages.tsv artifacts/packages.tsv'));
  t.true(lines.includes('bash helpers/chroot.sh disk 9000'));
  t.is(lines.at(-1), `bash helpers/chroot.sh box artifacts/foobar-web-${imageVersion}.libvirt.box 4`);
  t.false(lines.some((line) => line.includes('95-')), 'no minimize step in a chroot');
  const chains = template.build['post-processors'] as Array<{ 'post-processor': Json[] }>;
  t.is(chains.length, 1);
  const chain = chains[0]?.['post-processor'] ?? [];
  t.deepEqual(chain[0], { artifice: { files: [`artifacts/foobar-web-${imageVersion}.libvirt.box`] } });
  t.deepEqual(Object.keys(chain[1] ?? {}), ['manifest']);
});

test('the chroot kind copies the package list out after the cleanup scripts wrote it', async (t) => {
  const template = await templateOf({ provider: 'libvirt', base: 'debian-12', kind: 'chroot' }) as Json;
  const lines = (template.build.provisioner as Json[]).map((block) => (block['shell-local'].inline as string[]).join(';'));
  const packages = lines.findIndex((line) => line.includes(' packages '));
  t.true(lines.findIndex((line) => line.includes('80-updates')) < packages);
  t.true(lines.findIndex((line) => line.includes('90-cleanup')) < packages);
  t.true(lines.findIndex((line) => line.includes(' disk ')) > packages);
});

test('the vm kind stages files, runs the stack, cleans up, then pulls the package list', async (t) => {
  const template = await templateOf({ provider: 'libvirt', base: 'debian-12', kind: 'vm' }) as Json;
  const provisioners = template.build.provisioner as Json[];
  t.deepEqual(provisioners.map((block) => Object.keys(block)[0]), ['shell', 'file', 'file', 'shell', 'shell', 'file']);
  t.deepEqual(provisioners[3]?.shell.scripts, SCRIPTS.filter((s) => s.phase === 'stack').map((s) => s.path));
  t.deepEqual(provisioners[4]?.shell.scripts, ['scripts/90-cleanup.sh', 'scripts/95-minimize.sh']);
  t.deepEqual(provisioners[5]?.file, { direction: 'download', source: '/var/lib/boxwright/packages.tsv', destination: 'artifacts/packages.tsv' });
  const postProcessors = template.build['post-processor'] as Json[];
  t.deepEqual(postProcessors[0]?.vagrant.output, `artifacts/foobar-web-${imageVersion}.libvirt.box`);
  t.is(postProcessors[0]?.vagrant.vagrantfile_template, 'files/box/Vagrantfile', 'the box carries the rendered box Vagrantfile, as the chroot kind does');
});

test('the package list is queried once, in one format, by the cleanup script and nowhere in a template', async (t) => {
  for (const combination of COMBINATIONS) {
    t.false(templateText(await templateOf(combination)).includes('dpkg-query'), label(combination));
  }
  const queries: string[] = [];
  for (const file of ['90-cleanup.sh', '95-minimize.sh', 'build/chroot.sh']) {
    const text = await readFile(path.join(provisionersDir(), file), 'utf8');
    for (const line of text.split('\n')) if (/^(?!\s*#).*dpkg-query -W/.test(line)) queries.push(`${file}: ${line.trim()}`);
  }
  t.deepEqual(queries, ["90-cleanup.sh: dpkg-query -W -f='${Package}\\t${Version}\\t${Architecture}\\n' | LC_ALL=C sort > {{packageListPath}}"]);
});

test('no string in any template holds an unescaped ${ that HCL would interpolate', async (t) => {
  for (const combination of COMBINATIONS) {
    for (const text of strings(await templateOf(combination))) {
      t.notRegex(text, /(?<!\$)\$\{/, `${label(combination)}: ${text}`);
    }
  }
});

test('every source and build is named after the image', async (t) => {
  for (const combination of COMBINATIONS) {
    const template = await templateOf(combination) as Json;
    const [type] = Object.keys(template.source);
    t.deepEqual(Object.keys(template.source[type as string]), ['foobar-web']);
    t.is(template.build.name, 'foobar-web');
    t.deepEqual(template.build.sources, [`source.${type}.foobar-web`]);
  }
});

test('both kinds pack the box at the same gzip level', async (t) => {
  const vm = await templateOf({ provider: 'libvirt', base: 'debian-12', kind: 'vm' }) as Json;
  const chroot = await templateOf({ provider: 'libvirt', base: 'debian-12', kind: 'chroot' }) as Json;
  const vmLevel = (vm.build['post-processor'] as Json[]).find((block) => 'vagrant' in block)?.vagrant.compression_level;
  const chrootLine = (chroot.build.provisioner as Json[]).map((block) => (block['shell-local'].inline as string[]).join(';')).at(-1) ?? '';
  t.is(vmLevel, 4);
  t.is(chrootLine.split(' ').at(-1), String(vmLevel));
});
