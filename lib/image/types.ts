/**
 * The types of the image spec, derived from its one definition in `schema.ts`. The `…Settings`
 * types are the sections as written in image.json (every field optional, see `DEFAULTS`);
 * {@link ImageSpec} is the validated spec with every default applied.
 */
import type { z } from 'zod';
import type { ACCELERATORS, BASE_NAMES, BUILD_KINDS, DATABASE_ENGINES, PROVIDERS } from './rules.js';
import type { imageSchema } from './schema.js';

type Input = z.input<typeof imageSchema>;
type Output = z.output<typeof imageSchema>;

/** Known base operating systems. */
export type BaseName = (typeof BASE_NAMES)[number];
/** Providers a box can be built for. `libvirt` is built with Packer's qemu builder. */
export type Provider = (typeof PROVIDERS)[number];
/** How the image is provisioned: booted VM over SSH, or a chroot of a mirror-bootstrapped root. */
export type BuildKind = (typeof BUILD_KINDS)[number];
/** QEMU accelerator. `auto` uses KVM only where it can boot a 64-bit guest. */
export type Accelerator = (typeof ACCELERATORS)[number];
/** Database server. On Debian the MySQL role is served by MariaDB. */
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/** A disk image supplied by the user instead of a known base (`os` defaults to "debian-12"). */
export type CustomBase = Exclude<NonNullable<Input['base']>, string>;
/** The base disk: a known base name or a custom image. @default "ubuntu-24.04" */
export type BaseSpec = BaseName | CustomBase;

/** Build settings. */
export type BuildSettings = NonNullable<Input['build']>;
/** Resources of the build VM and of the lab VM. */
export type VmResources = NonNullable<Input['vm']>;
/** Nginx front end. */
export type NginxSettings = NonNullable<Input['nginx']>;
/** The Node.js app server. */
export type AppSettings = NonNullable<Input['app']>;
/** The database server and the app's database. */
export type DatabaseSettings = NonNullable<Input['database']>;
/** The lab network (used by the Vagrantfile and the boot checks). */
export type NetworkSettings = NonNullable<Input['network']>;
/** Firewall settings. */
export type FirewallSettings = NonNullable<Input['firewall']>;

/** An image spec as written in image.json (defaults not yet applied). */
export type ImageSpecInput = Input;

/** A validated image spec with every default applied. */
export type ImageSpec = Omit<Output, '$schema'> & {
  /** Absolute folder of image.json; relative paths resolve against it. Not part of image.json. */
  dir: string;
};
