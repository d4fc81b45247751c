import { readFileSync } from 'node:fs';
import path from 'node:path';
import { baseScriptsDir } from './paths.js';

/**
 * The pinned Ubuntu 24.04 (noble) cloud image: a dated release folder of cloud-images.ubuntu.com
 * (dated folders are immutable; `release/` and `current/` move).
 *
 * Provenance: the folder name `release-20251213` and the sha256 below could not be read from
 * Canonical here (these machines reach only the Debian mirror). They were found with the code
 * search in three independent public repositories that pin exactly this URL with exactly this
 * digest. It is therefore pinned as `sha256:<hex>`; `boxwright lock` on a machine that can reach
 * Canonical should confirm it against the folder's SHA256SUMS ({@link UBUNTU_2404.checksumUrl}).
 * Canonical moves old folders to cloud-images-archive.ubuntu.com after some months: when the URL
 * stops answering, bump the date (and the digest) or point the lock at the archive host.
 */
export const UBUNTU_2404 = {
  release: '20251213',
  url: 'https://cloud-images.ubuntu.com/releases/noble/release-20251213/ubuntu-24.04-server-cloudimg-amd64.img',
  sha256: '2b5f90ffe8180def601c021c874e55d8303e8bcbfc66fee2b94414f43ac5eb1f',
  checksumUrl: 'https://cloud-images.ubuntu.com/releases/noble/release-20251213/SHA256SUMS',
} as const;

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
