import test from 'ava';
import { chooseAccelerator, chooseKind, type HostFacts, readHostFacts } from '../../lib/plan/host.js';
import { BoxwrightError } from '../../lib/errors.js';
import { planBase, type PlannedBase } from '../../lib/plan/bases.js';
import { sampleSpec } from '../render/helpers.js';

const nestedPvm: HostFacts = { kvmDevice: true, nestedPvm: true, root: true };
const realKvm: HostFacts = { kvmDevice: true, nestedPvm: false, root: true };
const noKvm: HostFacts = { kvmDevice: false, nestedPvm: false, root: true };
const notRoot: HostFacts = { kvmDevice: false, nestedPvm: false, root: false };

const spec = await sampleSpec();
const debian: PlannedBase = planBase(spec, 'debian-12');
const ubuntu: PlannedBase = planBase(spec, 'ubuntu-24.04');
const custom: PlannedBase = planBase({ ...spec, base: { image: 'disk.qcow2', sha256: 'a'.repeat(64), os: 'debian-12' } });

test('auto picks tcg on a nested kvm_pvm host even though /dev/kvm is there', (t) => {
  t.is(chooseAccelerator('auto', nestedPvm), 'tcg');
});

test('auto picks kvm where KVM really works', (t) => {
  t.is(chooseAccelerator('auto', realKvm), 'kvm');
});

test('auto picks tcg without /dev/kvm', (t) => {
  t.is(chooseAccelerator('auto', noKvm), 'tcg');
});

test('tcg is always honoured', (t) => {
  for (const host of [nestedPvm, realKvm, noKvm]) t.is(chooseAccelerator('tcg', host), 'tcg');
});

test('an explicit kvm is honoured where /dev/kvm exists, nested or not', (t) => {
  t.is(chooseAccelerator('kvm', realKvm), 'kvm');
  t.is(chooseAccelerator('kvm', nestedPvm), 'kvm');
});

test('kvm without /dev/kvm is an E_HOST error that says to use tcg', (t) => {
  const error = t.throws(() => chooseAccelerator('kvm', noKvm), { instanceOf: BoxwrightError });
  t.is(error?.code, 'E_HOST');
  t.is(error?.path, 'build.accelerator');
  t.regex(error?.message ?? '', /--accelerator tcg/);
});

test('auto picks chroot for a mirror base on libvirt as root', (t) => {
  t.is(debian.source, 'mirror');
  t.is(chooseKind('auto', debian, 'libvirt', noKvm), 'chroot');
});

test('auto picks vm for a cloud image, a custom image, virtualbox, or without root', (t) => {
  t.is(chooseKind('auto', ubuntu, 'libvirt', noKvm), 'vm');
  t.is(chooseKind('auto', custom, 'libvirt', noKvm), 'vm');
  t.is(chooseKind('auto', debian, 'virtualbox', noKvm), 'vm');
  t.is(chooseKind('auto', debian, 'libvirt', notRoot), 'vm');
});

test('vm is always honoured', (t) => {
  for (const base of [debian, ubuntu, custom]) t.is(chooseKind('vm', base, 'libvirt', notRoot), 'vm');
});

test('chroot is honoured for a mirror base on libvirt as root', (t) => {
  t.is(chooseKind('chroot', debian, 'libvirt', realKvm), 'chroot');
});

/** [what, base, provider, host, the reason the message must give]. */
const refusals: Array<[string, PlannedBase, 'libvirt' | 'virtualbox', HostFacts, RegExp]> = [
  ['a cloud image', ubuntu, 'libvirt', noKvm, /cloud image/],
  ['a custom disk image', custom, 'libvirt', noKvm, /custom disk image/],
  ['virtualbox', debian, 'virtualbox', noKvm, /libvirt boxes only.*virtualbox/],
  ['a host without root', debian, 'libvirt', notRoot, /need root/],
];

for (const [what, base, provider, host, reason] of refusals) {
  test(`chroot is refused for ${what}, with the reason and the fix`, (t) => {
    const error = t.throws(() => chooseKind('chroot', base, provider, host), { instanceOf: BoxwrightError });
    t.is(error?.code, 'E_SPEC_INVALID');
    t.is(error?.path, 'build.kind');
    t.regex(error?.message ?? '', reason);
    t.regex(error?.message ?? '', /--kind vm/);
  });
}

test('the host facts of this machine are three booleans', (t) => {
  const facts = readHostFacts();
  t.deepEqual(Object.keys(facts).sort(), ['kvmDevice', 'nestedPvm', 'root']);
  for (const value of Object.values(facts)) t.is(typeof value, 'boolean');
});
