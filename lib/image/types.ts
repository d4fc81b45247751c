/**
 * The image spec: what a box contains. Written as `images/<name>/image.json`; every field but
 * `name` and `version` has a default (see {@link ../spec/defaults.ts}).
 */

/** Known base operating systems. */
export type BaseName = 'ubuntu-24.04' | 'debian-12';
/** Providers a box can be built for. `libvirt` is built with Packer's qemu builder. */
export type Provider = 'libvirt' | 'virtualbox';
/** How the image is provisioned: booted VM over SSH, or a chroot of a mirror-bootstrapped root. */
export type BuildKind = 'auto' | 'vm' | 'chroot';
/** QEMU accelerator. `auto` uses KVM only where it can boot a 64-bit guest. */
export type Accelerator = 'auto' | 'kvm' | 'tcg';
/** Database server. On Debian the MySQL role is served by MariaDB. */
export type DatabaseEngine = 'mysql' | 'mariadb';

/** A disk image supplied by the user instead of a known base. */
export interface CustomBase {
  /** `http(s)://` URL or local path (relative to image.json) of a qcow2 disk image. */
  image: string;
  /** sha256 of the image, 64 hex digits. */
  sha256: string;
  /** Which OS family the image is, so the right provisioners run. @default "debian-12" */
  os?: BaseName;
}

/** The base disk: a known base name or a custom image. @default "ubuntu-24.04" */
export type BaseSpec = BaseName | CustomBase;

/** Build settings. */
export interface BuildSettings {
  /** @default "auto" */
  kind?: BuildKind;
  /** @default "auto" */
  accelerator?: Accelerator;
  /** Give up on SSH after this long, in Packer duration syntax. @default "15m" */
  sshTimeout?: string;
}

/** Resources of the build VM and of the lab VM. */
export interface VmResources {
  /** @default 2 */
  cpus?: number;
  /** Memory in MiB. @default 1024 */
  memory?: number;
  /** Disk size in MiB. @default 8192 */
  diskSize?: number;
}

/** Nginx front end. */
export interface NginxSettings {
  /** Port nginx listens on. @default 80 */
  port?: number;
  /** Largest accepted request body, nginx size syntax. @default "1m" */
  clientMaxBodySize?: string;
  /** Proxy read timeout in seconds. @default 60 */
  proxyTimeout?: number;
}

/** The Node.js app server. */
export interface AppSettings {
  /** App folder relative to image.json (holds package.json). @default "app" */
  source?: string;
  /** Entry script relative to the app folder. @default "server.js" */
  entry?: string;
  /** Port the app listens on, on 127.0.0.1 only. @default 3000 */
  port?: number;
  /** System user the app runs as. @default "app" */
  user?: string;
}

/** The database server and the app's database. */
export interface DatabaseSettings {
  /** @default "mysql" (served by MariaDB on Debian bases) */
  engine?: DatabaseEngine;
  /** Database name, an SQL identifier. @default "app" */
  name?: string;
  /** App's database user, an SQL identifier. @default "app" */
  user?: string;
}

/** The lab network (used by the Vagrantfile and the boot checks). */
export interface NetworkSettings {
  /** Static private IPv4 of the VM. @default "192.168.56.10" */
  ip?: string;
}

/** Firewall settings. */
export interface FirewallSettings {
  /** @default true */
  enabled?: boolean;
}

/** An image spec as written in image.json (defaults not yet applied). */
export interface ImageSpecInput {
  /** JSON Schema reference for editors; ignored. */
  $schema?: string;
  /** Box name: lowercase letters, digits and dashes. */
  name: string;
  /** Box version, semver `X.Y.Z`. */
  version: string;
  /** One line saying what the box is. @default "" */
  description?: string;
  /** @default "ubuntu-24.04" */
  base?: BaseSpec;
  /** @default ["libvirt"] */
  providers?: Provider[];
  /** Primary host name, also the nginx server_name and the VM's hostname. @default "www.foobar.com" */
  hostname?: string;
  /** Further names nginx answers to. @default [] */
  aliases?: string[];
  build?: BuildSettings;
  vm?: VmResources;
  nginx?: NginxSettings;
  app?: AppSettings;
  database?: DatabaseSettings;
  network?: NetworkSettings;
  firewall?: FirewallSettings;
}

/** A validated image spec with every default applied. */
export interface ImageSpec {
  name: string;
  version: string;
  description: string;
  base: BaseSpec;
  providers: Provider[];
  hostname: string;
  aliases: string[];
  build: Required<BuildSettings>;
  vm: Required<VmResources>;
  nginx: Required<NginxSettings>;
  app: Required<AppSettings>;
  database: Required<DatabaseSettings>;
  network: Required<NetworkSettings>;
  firewall: Required<FirewallSettings>;
  /** Absolute folder of image.json; relative paths resolve against it. Not part of image.json. */
  dir: string;
}
