import { readFileSync } from 'node:fs';
import path from 'node:path';
import { baseScriptsDir } from './paths.js';

/** The pinned Ubuntu 24.04 cloud image; its row of the base table lives in lib/plan/bases.ts. */
export { UBUNTU_2404 } from '../plan/bases.js';

/** The NoCloud seed files, to put on a CD labelled `cidata` (Packer `cd_content` + `cd_label`). */
export interface NoCloudSeed {
  /** `#cloud-config` that creates the vagrant user. */
  'user-data': string;
  /** Instance id and hostname. */
  'meta-data': string;
}

/** Options of {@link ubuntuSeed}. */
export interface UbuntuSeedOptions {
  /** Hostname of the build VM. @default "boxwright" */
  hostname?: string;
  /** cloud-init instance id. @default "boxwright-build" */
  instanceId?: string;
  /** SSH public key of the vagrant user. @default Vagrant's well-known insecure key */
  publicKey?: string;
}

/** Vagrant's well-known insecure public key (shipped as `provisioners/base/files/vagrant.pub`). */
export function vagrantInsecurePublicKey(): string {
  return readFileSync(path.join(baseScriptsDir(), 'files', 'vagrant.pub'), 'utf8').trim();
}

/**
 * NoCloud seed for the Ubuntu cloud image: a `vagrant` user (locked password, key login only)
 * with Vagrant's insecure key and passwordless sudo; no default `ubuntu` user; no password SSH.
 * The build must run `cloud-init clean` before shutdown so the box seeds itself anew at `vagrant up`.
 */
export function ubuntuSeed(options: UbuntuSeedOptions = {}): NoCloudSeed {
  const hostname = options.hostname ?? 'boxwright';
  const instanceId = options.instanceId ?? 'boxwright-build';
  const key = (options.publicKey ?? vagrantInsecurePublicKey()).trim();
  for (const [name, value] of [['hostname', hostname], ['instanceId', instanceId]] as const) {
    if (!/^[A-Za-z0-9.-]+$/.test(value)) throw new TypeError(`${name} must be letters, digits, dots and dashes, got ${JSON.stringify(value)}`);
  }
  if (!/^(ssh-(rsa|ed25519)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( [^\n"\\]*)?$/.test(key)) throw new TypeError('publicKey must be one OpenSSH public key line');
  const userData = [
    '#cloud-config',
    'users:',
    '  - name: vagrant',
    '    gecos: Vagrant',
    '    shell: /bin/bash',
    '    lock_passwd: true',
    '    sudo: "ALL=(ALL) NOPASSWD:ALL"',
    '    ssh_authorized_keys:',
    `      - ${JSON.stringify(key)}`,
    'ssh_pwauth: false',
    'disable_root: true',
    '',
  ].join('\n');
  const metaData = [`instance-id: ${instanceId}`, `local-hostname: ${hostname}`, ''].join('\n');
  return { 'user-data': userData, 'meta-data': metaData };
}
