import test from 'ava';
import { isBoxwrightError } from '../../lib/errors.js';
import { BASE_NAMES } from '../../lib/image/rules.js';
import { BASES, familyOf, planBase } from '../../lib/plan/bases.js';
import { PACKER_1_6_6, planBuild } from '../../lib/plan/plan.js';
import { readScripts } from '../../lib/plan/scripts.js';
import { HOST, sampleSpec } from '../render/helpers.js';

test('every known base name has exactly one row in the base table', (t) => {
  t.deepEqual(Object.keys(BASES).sort(), [...BASE_NAMES].sort());
  for (const name of BASE_NAMES) {
    const row = BASES[name];
    t.is(familyOf(name), row.family);
    if (row.source === 'mirror') t.regex(row.suite, /^[a-z]+$/, name);
    else t.regex(row.url, /\/release-\d{8}\//, name);
  }
});

test('a mirror row is planned with its mirror and suite, for the lock and the base to read', (t) => {
  const planned = planBase({ base: 'debian-12', dir: '/x' });
  t.deepEqual(planned.mirror, { mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security', suite: 'bookworm', packages: 'debian-12-packages.txt', sourcesFormat: 'list' });
  t.deepEqual(planBase({ base: 'debian-13', dir: '/x' }).mirror, { mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security', suite: 'trixie', packages: 'debian-13-packages.txt', sourcesFormat: 'deb822' });
  t.is(planBase({ base: 'ubuntu-24.04', dir: '/x' }).mirror, undefined);
});

test('the plan runs the scripts of its kind only, in order, and names the box', async (t) => {
  const spec = await sampleSpec();
  const all = await readScripts();
  const vm = await planBuild(spec, { host: HOST, base: 'debian-12', kind: 'vm' });
  const chroot = await planBuild(spec, { host: HOST, base: 'debian-12', kind: 'chroot' });
  t.deepEqual(vm.scripts, all);
  t.deepEqual(chroot.scripts, all.filter((s) => s.kinds.includes('chroot')));
  t.is(vm.boxName, `${spec.name}-${spec.version}.libvirt.box`);
  t.is(vm.packer, PACKER_1_6_6, 'packer 1.6.6 unless the detected one is handed in');
});

test('the plan takes injected scripts and host facts instead of reading them', async (t) => {
  const plan = await planBuild(await sampleSpec(), {
    host: { kvmDevice: true, nestedPvm: false, root: false }, base: 'debian-12', kind: 'auto',
    scripts: [{ name: '00-a.sh', path: 'scripts/00-a.sh', phase: 'stack', kinds: ['vm'] }],
  });
  t.deepEqual([plan.kind, plan.accelerator], ['vm', 'kvm'], 'no root: no chroot; a working KVM');
  t.deepEqual(plan.scripts.map((s) => s.name), ['00-a.sh']);
});

test('an impossible plan is refused with the field and the fix', async (t) => {
  const spec = await sampleSpec({ providers: ['libvirt'] });
  const error = await t.throwsAsync(planBuild(spec, { host: HOST, provider: 'virtualbox' }));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'));
  t.is((error as { path?: string }).path, 'providers');
});
