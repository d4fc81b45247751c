import { BUILD_LAYOUT } from '../plan/layout.js';
import type { BuildPlan } from '../plan/plan.js';

/**
 * The `virtualbox-ovf` source: imports the base as an OVA/OVF (Ubuntu publishes an .ova beside its
 * cloud image), SSH forwarded on loopback only, guest additions left out (the box needs none).
 */
export function virtualboxSource(plan: BuildPlan): Record<string, unknown> {
  const { spec, base } = plan;
  const source: Record<string, unknown> = {
    checksum: base.ovfChecksum,
    guest_additions_mode: 'disable',
    headless: true,
    output_directory: BUILD_LAYOUT.output,
    shutdown_command: 'sudo -n systemctl poweroff',
    shutdown_timeout: '5m',
    source_path: base.ovfPathOrUrl,
    ssh_host_port_min: 2222,
    ssh_host_port_max: 4444,
    ssh_private_key_file: BUILD_LAYOUT.insecureKey,
    ssh_skip_nat_mapping: false,
    ssh_timeout: spec.build.sshTimeout,
    ssh_username: 'vagrant',
    vboxmanage: [
      ['modifyvm', '{{ .Name }}', '--cpus', String(spec.vm.cpus)],
      ['modifyvm', '{{ .Name }}', '--memory', String(spec.vm.memory)],
      ['modifyvm', '{{ .Name }}', '--natpf1', 'delete', 'packercomm'],
      ['modifyvm', '{{ .Name }}', '--natpf1', 'packercomm,tcp,127.0.0.1,{{ .SSHHostPort }},,22'],
    ],
    vm_name: spec.name,
  };
  if (base.family === 'ubuntu') {
    source.cd_files = [`${BUILD_LAYOUT.seed}/meta-data`, `${BUILD_LAYOUT.seed}/user-data`];
    source.cd_label = 'cidata';
  }
  return source;
}
