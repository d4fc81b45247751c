import { BUILD_LAYOUT } from '../plan/layout.js';
import type { BuildPlan } from '../plan/plan.js';

/**
 * The `qemu` source: boots the base disk image (`disk_image = true`), SSH forwarded on loopback only,
 * VNC on loopback, explicit disk size, the chosen accelerator. Under TCG the CPU model is `qemu64`
 * (FACTS: `-cpu host/max` abort on nested KVM hosts).
 */
export function qemuSource(plan: BuildPlan): Record<string, unknown> {
  const { spec, accelerator, base } = plan;
  const source: Record<string, unknown> = {
    accelerator,
    cpus: spec.vm.cpus,
    memory: spec.vm.memory,
    disk_image: true,
    disk_size: `${spec.vm.diskSize}M`,
    disk_interface: 'virtio',
    // Free space is trimmed (fstrim in 95-minimize.sh reaches the qcow2 through discard=unmap), so
    // the disk stays sparse; the vagrant post-processor's gzip is the only compression pass.
    disk_compression: false,
    disk_detect_zeroes: 'unmap',
    // The build VM is thrown away: its flushes need not reach the host's disk (QEMU writes
    // everything out when it exits after the clean shutdown, before the box is packed).
    disk_cache: 'unsafe',
    disk_discard: 'unmap',
    format: 'qcow2',
    headless: true,
    iso_url: base.diskPathOrUrl,
    iso_checksum: base.checksum,
    net_device: 'virtio-net',
    output_directory: BUILD_LAYOUT.output,
    qemuargs: [
      ['-cpu', accelerator === 'tcg' ? 'qemu64' : 'host'],
      ['-netdev', 'user,id=user.0,hostfwd=tcp:127.0.0.1:{{ .SSHHostPort }}-:22'],
      ['-device', 'virtio-net,netdev=user.0'],
      ['-serial', `file:${BUILD_LAYOUT.serialLog}`],
    ],
    shutdown_command: 'sudo -n systemctl poweroff',
    shutdown_timeout: '5m',
    host_port_min: 2222,
    host_port_max: 4444,
    ssh_private_key_file: BUILD_LAYOUT.insecureKey,
    ssh_timeout: spec.build.sshTimeout,
    ssh_username: 'vagrant',
    vm_name: `${spec.name}.qcow2`,
    vnc_bind_address: '127.0.0.1',
  };
  if (base.family === 'ubuntu') {
    source.cd_files = [`${BUILD_LAYOUT.seed}/meta-data`, `${BUILD_LAYOUT.seed}/user-data`];
    source.cd_label = 'cidata';
  }
  return source;
}
