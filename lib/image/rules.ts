/** Field rules shared by validation and the JSON Schema. Each regex is anchored. */

export { isHostname, isIPv4, isPort } from './values.js';

/** SQL identifier safe without quoting on MySQL and MariaDB: letter first, ≤ 32 chars (MySQL user name limit). */
export const SQL_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** POSIX user name as Debian's adduser accepts it. */
export const UNIX_USER = /^[a-z_][a-z0-9_-]{0,30}$/;
/** Box name: lowercase letters, digits, dashes; also a file-name part. */
export const BOX_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** sha256 digest: 64 hex digits (the pattern lives in lib/util/hash.ts). */
export { SHA256_HEX as SHA256 } from '../util/hash.js';
/** nginx size: digits with an optional k/m/g suffix. */
export const NGINX_SIZE = /^[0-9]{1,6}[kKmMgG]?$/;
/** Packer duration, e.g. 15m, 1h30m, 90s. */
export const DURATION = /^(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?$/;
/** Relative path inside the image folder: no `..`, no absolute path, safe characters only. */
export const RELATIVE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/-]+$/;
/** Strict semver X.Y.Z with optional pre-release, no build metadata (Vagrant Cloud refuses it). */
export const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Known base names. */
export const BASE_NAMES = ['ubuntu-24.04', 'debian-12'] as const;
/** Known providers. */
export const PROVIDERS = ['libvirt', 'virtualbox'] as const;
/** Known build kinds. */
export const BUILD_KINDS = ['auto', 'vm', 'chroot'] as const;
/** Known accelerators. */
export const ACCELERATORS = ['auto', 'kvm', 'tcg'] as const;
/** Known database engines. */
export const DATABASE_ENGINES = ['mysql', 'mariadb'] as const;
