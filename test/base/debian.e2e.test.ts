/**
 * The real thing: build each Debian base (12 bookworm, 13 trixie) from the mirror, boot it twice
 * under QEMU (TCG) in private network namespaces, and check it is a usable Vagrant base. Runs only
 * with BOXWRIGHT_E2E=1 (needs root, mmdebstrap, qemu, the Debian mirror; ~2-5 min each on a cold cache).
 */
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { ensureDebianBase } from '../../lib/base/index.js';
import type { BaseName } from '../../lib/image/types.js';
import { BASES, isMirrorBase, type MirrorBaseRow } from '../../lib/plan/bases.js';
import { bootDiskFor, canBootVms } from '../helpers/vm.js';

const e2e = process.env['BOXWRIGHT_E2E'] === '1' && canBootVms() ? test.serial : test.serial.skip;

const SOURCES: Partial<Record<BaseName, { file: string; absent: string }>> = {
  'debian-12': { file: './etc/apt/sources.list', absent: './etc/apt/sources.list.d/debian.sources' },
  'debian-13': { file: './etc/apt/sources.list.d/debian.sources', absent: './etc/apt/sources.list' },
};

for (const release of (Object.keys(BASES) as BaseName[]).filter(isMirrorBase)) e2e(`[e2e] the ${release} base builds from the mirror and boots as a Vagrant base`, async (t) => {
  t.timeout(40 * 60_000);
  const { suite } = BASES[release] as MirrorBaseRow;
  const sourcesFiles = SOURCES[release]!;
  const started = Date.now();
  const base = await ensureDebianBase({ release, onLog: (line) => t.log(line) });
  const buildMs = Date.now() - started;
  t.log(`base ${base.cached ? 'from cache' : 'built'} in ${(buildMs / 1000).toFixed(1)} s (rootfs ${(base.timings.rootfsMs / 1000).toFixed(1)} s, disk ${(base.timings.diskMs / 1000).toFixed(1)} s)`);
  t.regex(base.sha256, /^[0-9a-f]{64}$/);

  const image = await execa('tar', ['-xOf', base.rootfsTar, './etc/machine-id']);
  t.is(image.stdout, '', 'the image ships an empty machine-id');
  // The release's own apt sources format: one-line sources.list (12), deb822 debian.sources (13).
  const sources = await execa('tar', ['-xOf', base.rootfsTar, sourcesFiles.file]);
  t.regex(sources.stdout, new RegExp(`\\b${suite}-security\\b`));
  if (release === 'debian-13') t.regex(sources.stdout, /^Types: deb\nURIs: http:\/\/deb\.debian\.org\/debian\nSuites: trixie trixie-updates\n/m);
  const listing = (await execa('tar', ['-tf', base.rootfsTar])).stdout.split('\n');
  t.false(listing.includes(sourcesFiles.absent), `${sourcesFiles.absent} is not in the ${release} root`);

  const hostKeys: string[] = [];
  const machineIds: string[] = [];
  for (const round of [1, 2]) {
    const vm = await bootDiskFor(t, { disk: base.disk, ip: '192.168.56.10', memory: 1024, cpus: 2 });
    t.log(`boot ${round}: ssh after ${(vm.bootMs / 1000).toFixed(1)} s; serial log ${path.basename(vm.serialLog)}`);

    const whoami = await vm.ssh('id -un');
    t.is(whoami.exitCode, 0, whoami.stderr);
    t.is(whoami.stdout.trim(), 'vagrant');
    t.is((await vm.ssh('sudo -n true')).exitCode, 0, 'passwordless sudo');

    const machineId = (await vm.ssh('cat /etc/machine-id')).stdout.trim();
    t.regex(machineId, /^[0-9a-f]{32}$/, 'machine-id made at first boot');
    machineIds.push(machineId);

    const os = await vm.ssh('. /etc/os-release && echo "$VERSION_CODENAME"');
    t.is(os.stdout.trim(), suite);
    const keys = await vm.ssh('sudo sh -c "cat /etc/ssh/ssh_host_*_key.pub" | sort');
    t.regex(keys.stdout, /ssh-ed25519 /);
    // is-enabled prints "masked" and exits 1 for a masked unit; a unit the release lacks prints nothing.
    const keygen = await vm.ssh('state=$(systemctl is-enabled sshd-keygen.service 2>/dev/null); echo "${state:-absent}"');
    t.regex(keygen.stdout.trim(), /^(masked|absent)$/, 'the release\'s own first-boot ssh-keygen -A unit does not run twice');
    hostKeys.push(keys.stdout);

    t.is(vm.iface, 'eth1');
    const addr = await vm.ssh('ip -4 -o addr show dev eth1');
    t.regex(addr.stdout, /inet 192\.168\.56\.10\/24/);
    const ping = await vm.exec(['ping', '-c1', '-W5', '192.168.56.10']);
    t.is(ping.exitCode, 0, ping.stdout + ping.stderr);

    const failed = await vm.ssh('systemctl --failed --no-legend --plain');
    t.is(failed.stdout.trim(), '', 'no failed units');
    const console = await vm.ssh('cat /proc/cmdline');
    t.regex(console.stdout, /console=ttyS0/);

    await vm.stop();
  }
  t.not(hostKeys[0], hostKeys[1], 'each boot of a fresh overlay makes its own SSH host keys');
  t.not(machineIds[0], machineIds[1], 'each VM gets its own machine-id');
});
