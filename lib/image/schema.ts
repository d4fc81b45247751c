/**
 * The image spec, defined once. Every field's type, default, rule, message and description is
 * written here (with the plain-data rules of `rules.ts`, the value rules of `values.ts` and the
 * rules across fields of `spec-rules.ts`); the TypeScript types (`types.ts`), the defaults
 * (`defaults.ts`), the validation (`validate.ts`), `schema/image.schema.json` and the README's
 * field table are all derived from it.
 */
import { z } from 'zod';
import { exactly, flag, matching, oneOf, quote, says, withRule, wholeNumber, anyCasePattern } from './fields.js';
import {
  ACCELERATORS, APP_PORT_MIN, BASE_NAMES, BOX_NAME, BUILD_KINDS, DATABASE_ENGINES, DESCRIPTION_MAX, DURATION, NGINX_SIZE,
  PROVIDERS, RELATIVE_PATH, RESERVED_ACCOUNTS, RESERVED_DATABASES, RESERVED_DATABASE_USERS, RESERVED_PORTS, SEMVER, SHA256,
  SQL_IDENTIFIER, UNIX_USER, VERSION_MAX,
} from './rules.js';
import { SPEC_RULES, type RuleDefaults } from './spec-rules.js';
import {
  HOST_IPV4_PATTERN, HOSTNAME_MAX, HOSTNAME_PATTERN, RESERVED_HOSTNAME_PATTERN, VM_HOSTNAME_MAX, hostnameProblem, ipv4Problem,
  vmHostnameProblem,
} from './values.js';

const HOSTNAME_FIX = 'use an RFC 1123 host name: letters, digits, dashes and dots, e.g. "www.foobar.com"';

/** A host name nginx answers to (see `values.ts`). */
const hostName = withRule(z.string({ error: says(HOSTNAME_FIX) }), (name) => {
  const problem = hostnameProblem(name);
  return problem === undefined ? undefined : `${quote(name)} ${problem}; ${HOSTNAME_FIX}`;
}, { minLength: 1, maxLength: HOSTNAME_MAX, pattern: HOSTNAME_PATTERN, not: { pattern: RESERVED_HOSTNAME_PATTERN } })
  .meta({ id: 'hostname', description: `RFC 1123 host name of at most ${HOSTNAME_MAX} characters; not all-numeric in its last label, not localhost or another name the hosts file reserves.` });

/** The VM's own hostname: a host name of at most 64 characters. */
const vmHostName = withRule(z.string({ error: says(HOSTNAME_FIX) }), (name) => {
  const problem = vmHostnameProblem(name);
  return problem === undefined ? undefined : `${quote(name)} ${problem}; ${HOSTNAME_FIX}`;
}, { minLength: 1, maxLength: VM_HOSTNAME_MAX, pattern: HOSTNAME_PATTERN, not: { pattern: RESERVED_HOSTNAME_PATTERN } });

const PORT_FIX = 'use a whole number from 1 to 65535';

/** A TCP port that the box does not use for SSH or the database. */
function freePort(): z.ZodNumber {
  const error = says(PORT_FIX, 'is not a port');
  const reserved = Object.keys(RESERVED_PORTS).map(Number);
  return withRule(z.number({ error }).int({ error }).min(1, { error }).max(65535, { error }),
    (port) => (RESERVED_PORTS[port] === undefined ? undefined : `${port} is taken by ${RESERVED_PORTS[port]}; use another port, e.g. 3000 or 8080`),
    { not: { enum: reserved } });
}

/** A check refusing the names of `list`, compared case-insensitively. */
function notReserved(list: readonly string[], fix: string): (value: string) => string | undefined {
  return (value) => (list.includes(value.toLowerCase()) ? `${quote(value)} is reserved; ${fix}` : undefined);
}

/** True when `text` has more than `max` characters (code points, as JSON Schema's maxLength counts). */
function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  if (text.length > 2 * max) return true;
  let count = 0;
  for (const _ of text) if (++count > max) return true;
  return false;
}

const DESCRIPTION_FIX = `use one line of at most ${DESCRIPTION_MAX} characters`;

const customBase = exactly({
  image: z.string({ error: says('give an http(s) URL or a file path of a qcow2 disk image (letters, digits, . _ - /)') })
    .regex(/^(?:https?:\/\/[^\s'"\\]+|\/[A-Za-z0-9._/-]+)$|^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/-]+$/, {
      error: says('give an http(s) URL or a file path of a qcow2 disk image (letters, digits, . _ - /)'),
    })
    .meta({ description: '`http(s)://` URL, absolute path, or path relative to image.json of a qcow2 disk image.' }),
  sha256: matching(SHA256, 'give the 64 lowercase hex digits printed by `sha256sum <image>`')
    .meta({ description: 'sha256 of the image: 64 lowercase hex digits.' }),
  os: oneOf(BASE_NAMES).default('debian-12')
    .meta({ description: 'Which OS the image is, so the right provisioners run.' }),
}, 'a base name or an object { image, sha256, os? }').meta({ id: 'customBase', description: 'A disk image supplied by the user instead of a known base.' });

const baseName = oneOf(BASE_NAMES, `use ${BASE_NAMES.map((b) => `"${b}"`).join(', ')}, or { "image": URL-or-path, "sha256": HEX }`)
  .meta({ id: 'baseName', description: 'A known base operating system.' });

/** The fields of image.json. */
const fields = exactly({
  $schema: z.string({ error: says('give the path or URL of the JSON Schema') }).optional()
    .meta({ description: 'JSON Schema reference for editors; ignored.' }),
  name: matching(BOX_NAME, 'use lowercase letters, digits and dashes, e.g. "foobar-web"')
    .meta({ description: 'Box name: lowercase letters, digits and dashes (at most 64); also part of the box file name.' }),
  version: matching(SEMVER, 'use semver X.Y.Z, e.g. "1.0.0" (a pre-release such as "1.0.0-rc.1" is fine; no build metadata, no leading zeros)')
    .max(VERSION_MAX, { error: says(`use semver X.Y.Z of at most ${VERSION_MAX} characters`) })
    .meta({ description: `Box version: semver \`X.Y.Z\` with an optional pre-release, no build metadata; what \`semver.valid\` accepts.` }),
  description: withRule(z.string({ error: says(DESCRIPTION_FIX) }).regex(/^[^\u0000-\u001f\u007f]*$/, { error: says(DESCRIPTION_FIX) }),
    (text) => (longerThan(text, DESCRIPTION_MAX) ? `is ${text.length} UTF-16 units long, over ${DESCRIPTION_MAX} characters; ${DESCRIPTION_FIX}` : undefined),
    { maxLength: DESCRIPTION_MAX }).default('')
    .meta({ description: `One line saying what the box is, at most ${DESCRIPTION_MAX} characters.` }),
  base: z.union([baseName, customBase]).default('ubuntu-24.04')
    .meta({ description: 'The base disk: a known base name, or `{ "image", "sha256", "os"? }` for a qcow2 of your own.' }),
  providers: z.array(oneOf(PROVIDERS), { error: says('give a non-empty list such as ["libvirt", "virtualbox"]') })
    .min(1, { error: (issue) => `must be a non-empty list such as ["libvirt", "virtualbox"], got ${quote(issue.input)}` })
    .check((ctx) => {
      ctx.value.forEach((provider, index) => {
        if (ctx.value.indexOf(provider) !== index) ctx.issues.push({ code: 'custom', path: [index], input: provider, message: `"${provider}" is listed twice; list each provider once` });
      });
    })
    .meta({ uniqueItems: true })
    .default(['libvirt'])
    .meta({ description: 'Providers the box is built for; `libvirt` is built with Packer\'s qemu builder.' }),
  hostname: vmHostName.default('www.foobar.com')
    .meta({ description: `The VM's hostname, nginx's \`server_name\` and the lab's DNS name: a host name (see aliases) of at most ${VM_HOSTNAME_MAX} characters, Linux's limit.` }),
  aliases: z.array(hostName, { error: says('give a list of host names, e.g. ["foobar.com"]') }).default([])
    .meta({ description: 'Further names nginx answers to: RFC 1123, not all-numeric, not reserved (localhost, …), none repeating the hostname or another alias.' }),
  build: exactly({
    kind: oneOf(BUILD_KINDS).default('auto')
      .meta({ description: '`vm` boots the base and provisions over SSH; `chroot` provisions a mirror-bootstrapped root natively (debian bases only); `auto` picks.' }),
    accelerator: oneOf(ACCELERATORS).default('auto')
      .meta({ description: 'QEMU accelerator; `auto` never picks a KVM that cannot boot a guest (a nested `kvm_pvm`).' }),
    sshTimeout: matching(DURATION, 'use a duration such as "15m" or "1h30m"').min(1, { error: says('use a duration such as "15m" or "1h30m"') }).default('15m')
      .meta({ description: 'Give up waiting for SSH after this long, in Packer duration syntax.' }),
  }).prefault({}).meta({ description: 'How the box is built.' }),
  vm: exactly({
    cpus: wholeNumber(1, 64).default(2).meta({ description: 'CPUs of the build VM and the lab VM.' }),
    memory: wholeNumber(512, 262144, ' (MiB)').default(1024).meta({ description: 'Memory in MiB.' }),
    diskSize: wholeNumber(2048, 2097152, ' (MiB)').default(8192).meta({ description: 'Disk size in MiB.' }),
  }).prefault({}).meta({ description: 'Resources of the build VM and of the lab VM.' }),
  nginx: exactly({
    port: freePort().default(80)
      .meta({ description: 'Port nginx listens on: 1–65535, not 22 (SSH) or 3306 (the database), not app.port.' }),
    clientMaxBodySize: matching(NGINX_SIZE, 'use an nginx size such as "1m", "512k" or "10m"').default('1m')
      .meta({ description: 'Largest accepted request body, nginx size syntax.' }),
    proxyTimeout: wholeNumber(1, 3600, ' (seconds)').default(60).meta({ description: 'Proxy read timeout in seconds.' }),
  }).prefault({}).meta({ description: 'The nginx front end.' }),
  app: exactly({
    source: matching(RELATIVE_PATH, 'give a folder relative to image.json without "..", e.g. "app"').default('app')
      .meta({ description: 'App folder relative to image.json (holds package.json); bundled on the host, the guest never runs npm.' }),
    entry: matching(RELATIVE_PATH, 'give a .js file relative to the app folder, e.g. "server.js"')
      .regex(/\.(m|c)?js$/, { error: says('give a .js file relative to the app folder, e.g. "server.js"') }).default('server.js')
      .meta({ description: 'Entry script (.js, .mjs or .cjs) relative to the app folder.' }),
    port: freePort().default(3000)
      .meta({ description: `Port the app listens on, on 127.0.0.1 only: ${APP_PORT_MIN}–65535 (it runs unprivileged), not 3306, not nginx.port.` }),
    user: withRule(matching(UNIX_USER, 'use a lowercase system user name (letters, digits, _ and -), not root', 'is not a system user name'),
      (user) => (user === 'root' ? 'is root; use a lowercase system user name of its own, not root'
        : RESERVED_ACCOUNTS.includes(user) ? `${quote(user)} is an account or group the box already has; use a name of its own, e.g. "app" (the provisioner never takes over an account it did not create)` : undefined),
      { not: { enum: [...RESERVED_ACCOUNTS] } }).default('app')
      .meta({ description: 'System user (and group) the app runs as, made by the provisioner: not root nor an account or group the box already has (vagrant, mysql, www-data, nobody, …).' }),
  }).prefault({}).meta({ description: 'The Node.js app server.' }),
  database: exactly({
    engine: oneOf(DATABASE_ENGINES).default('mysql')
      .meta({ description: 'Database server; on Debian bases the MySQL role is served by MariaDB.' }),
    name: withRule(matching(SQL_IDENTIFIER, 'use a letter then letters, digits or _ (at most 32), not a system schema name'),
      notReserved(RESERVED_DATABASES, 'use a letter then letters, digits or _ (at most 32), not a system schema name'),
      { not: { pattern: anyCasePattern(RESERVED_DATABASES) } }).default('app')
      .meta({ description: 'The app\'s database, an SQL identifier (at most 32), not a system schema (mysql, sys, test, …).' }),
    user: withRule(matching(SQL_IDENTIFIER, 'use a letter then letters, digits or _ (at most 32), not root'),
      notReserved(RESERVED_DATABASE_USERS, 'use a letter then letters, digits or _ (at most 32), not root'),
      { not: { pattern: anyCasePattern(RESERVED_DATABASE_USERS.filter((user) => SQL_IDENTIFIER.test(user))) } }).default('app')
      .meta({ description: 'The app\'s database user, an SQL identifier (at most 32), not root or mysql; its password is made at each VM\'s first boot.' }),
  }).prefault({}).meta({ description: 'The database server and the app\'s database.' }),
  network: exactly({
    ip: withRule(z.string({ error: says('use a dotted IPv4 address such as "192.168.56.10"') }), (ip) => {
      const problem = ipv4Problem(ip);
      return problem === undefined ? undefined : `${quote(ip)} ${problem}; use a dotted IPv4 address such as "192.168.56.10"`;
    }, { pattern: HOST_IPV4_PATTERN }).default('192.168.56.10')
      .meta({ description: 'The lab VM\'s private IPv4: not the network (.0) or broadcast (.255) of its /24, not loopback, link-local or multicast; in 192.168.56.0/21 when `virtualbox` is a provider.' }),
  }).prefault({}).meta({ description: 'The lab network.' }),
  firewall: exactly({
    enabled: flag().default(true).meta({ description: 'nftables: only SSH and the nginx port inbound.' }),
  }).prefault({}).meta({ description: 'The firewall.' }),
});

/** The fields of a spec as validated one by one, before the rules across fields. */
export type SpecFields = z.output<typeof fields>;

/** The defaults the rules across fields need (for their messages and their JSON Schema form). */
export function ruleDefaults(): RuleDefaults {
  if (cachedDefaults === undefined) {
    const spec = fields.parse({ name: 'x', version: '0.0.0' });
    cachedDefaults = Object.freeze({ hostname: spec.hostname, nginxPort: spec.nginx.port, appPort: spec.app.port, ip: spec.network.ip });
  }
  return cachedDefaults;
}
let cachedDefaults: RuleDefaults | undefined;

/**
 * The image spec: image.json in, the spec with every default applied out. The rules that read
 * more than one field ({@link SPEC_RULES}) run once every field is valid.
 */
export const imageSchema = fields.check((ctx) => {
  if (ctx.issues.length > 0) return;
  for (const rule of SPEC_RULES) {
    const found = rule.check(ctx.value, ruleDefaults());
    if (found !== undefined) {
      ctx.issues.push({ code: 'custom', path: found.path, input: found.value, message: found.message });
      return;
    }
  }
}).meta({
  title: 'Boxwright image spec (image.json)',
  description: 'What a box contains. Every field but `name` and `version` has a default. Generated from lib/image/schema.ts by `npm run schema`; do not edit.',
});
