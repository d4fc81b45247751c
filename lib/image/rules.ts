/**
 * Field rules of the image spec that are plain data: anchored regexes, the known choices and the
 * reserved names. `schema.ts` builds the spec from them; the CLI offers the same choices.
 */

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
/**
 * Box version: semver 2.0 `X.Y.Z` with an optional pre-release, and no build metadata (Vagrant
 * Cloud refuses it). Exactly the strings `semver.valid(v) === v` accepts without `+`: numeric
 * pre-release parts have no leading zero (`1.0.0-01` is refused). Numbers have at most 15 digits,
 * so each stays below `Number.MAX_SAFE_INTEGER` as semver requires.
 */
export const SEMVER = /^(?:0|[1-9][0-9]{0,14})\.(?:0|[1-9][0-9]{0,14})\.(?:0|[1-9][0-9]{0,14})(?:-(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?$/;
/** Longest box version (semver's own limit is 256). */
export const VERSION_MAX = 128;
/** Longest description, in characters (Unicode code points, as JSON Schema counts them). */
export const DESCRIPTION_MAX = 500;

/** Known base names. */
export const BASE_NAMES = ['ubuntu-24.04', 'debian-12', 'debian-13'] as const;
/** Known providers. */
export const PROVIDERS = ['libvirt', 'virtualbox'] as const;
/** Known build kinds. */
export const BUILD_KINDS = ['auto', 'vm', 'chroot'] as const;
/** Known accelerators. */
export const ACCELERATORS = ['auto', 'kvm', 'tcg'] as const;
/** Known database engines. */
export const DATABASE_ENGINES = ['mysql', 'mariadb'] as const;

/**
 * Ports the box itself uses, which neither nginx nor the app may take: SSH (Vagrant and the
 * firewall's fixed rule) and the database server.
 */
export const RESERVED_PORTS: Readonly<Record<number, string>> = { 22: 'SSH', 3306: 'the database server' };

/** Lowest port the app may listen on: it runs as an unprivileged user, which cannot bind below 1024. */
export const APP_PORT_MIN = 1024;

/**
 * Account and group names that exist in a Debian 12/13 or Ubuntu 24.04 box before the app's user
 * is made, so `app.user` may not be one of them: the provisioner makes the app's user and its
 * group of the same name, and must never take over an account it did not create (with `vagrant`
 * that breaks SSH, with `mysql` the app could read the datadir, `www-data` is nginx's).
 * Sources: Debian's base-passwd (users and groups), the accounts systemd, openssh, MariaDB/MySQL,
 * cloud-init defaults, HAProxy, keepalived and chrony create, Ubuntu's default system accounts,
 * and the box's own `vagrant`. A fixed list, so the verdict does not depend on the build host.
 */
export const RESERVED_ACCOUNTS: readonly string[] = [
  // base-passwd users
  'root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup',
  'list', 'irc', 'gnats', 'nobody', '_apt',
  // base-passwd groups
  'adm', 'tty', 'disk', 'kmem', 'dialout', 'fax', 'voice', 'cdrom', 'floppy', 'tape', 'sudo', 'audio', 'dip', 'operator',
  'src', 'shadow', 'utmp', 'video', 'sasl', 'plugdev', 'staff', 'users', 'nogroup', 'wheel', 'admin',
  // systemd, dbus, udev, openssh, polkit
  'systemd-journal', 'systemd-network', 'systemd-resolve', 'systemd-timesync', 'systemd-coredump', 'systemd-oom',
  'messagebus', 'input', 'kvm', 'render', 'sgx', 'netdev', 'crontab', 'ssh', '_ssh', 'sshd', 'polkitd', 'ssl-cert',
  // the stack and its neighbours
  'mysql', 'mariadb', 'nginx', 'haproxy', 'keepalived_script', 'node', 'nodejs', '_chrony', 'ntp', 'postfix', 'tcpdump',
  // cloud images and Ubuntu's defaults
  'vagrant', 'debian', 'ubuntu', 'syslog', 'uuidd', 'tss', 'landscape', 'fwupd-refresh', 'usbmux', 'dnsmasq', 'lxd',
  'pollinate', 'statd', '_rpc', 'dhcpcd',
];

/** Database names that are the server's own schemas (compared case-insensitively). */
export const RESERVED_DATABASES: readonly string[] = ['mysql', 'sys', 'test', 'information_schema', 'performance_schema'];

/** Database accounts the server already has (compared case-insensitively). */
export const RESERVED_DATABASE_USERS: readonly string[] = ['root', 'mysql', 'mariadb.sys', 'debian-sys-maint'];
