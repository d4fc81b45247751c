/**
 * NoCloud seed for Ubuntu cloud images (a CD labelled `cidata`): creates the `vagrant` user with
 * Vagrant's insecure public key and passwordless sudo, so packer (and later vagrant) can log in.
 * The key is replaced by vagrant at the first `vagrant up`.
 */
export function nocloudSeed(hostname: string, vagrantPublicKey: string): { 'meta-data': string; 'user-data': string } {
  const userData = [
    '#cloud-config',
    `hostname: ${hostname.split('.')[0]}`,
    `fqdn: ${hostname}`,
    'ssh_pwauth: false',
    'disable_root: true',
    'users:',
    '  - name: vagrant',
    '    shell: /bin/bash',
    '    lock_passwd: true',
    "    sudo: 'ALL=(ALL) NOPASSWD:ALL'",
    '    ssh_authorized_keys:',
    `      - ${JSON.stringify(vagrantPublicKey.trim())}`,
    'package_update: false',
    'package_upgrade: false',
    '',
  ].join('\n');
  return { 'meta-data': `instance-id: boxwright-build\nlocal-hostname: ${hostname.split('.')[0]}\n`, 'user-data': userData };
}
