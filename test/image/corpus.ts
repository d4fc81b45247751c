/**
 * A corpus of image specs for the schema-vs-validator test: every case issues 12 and 14 named,
 * the shared value table applied to the fields that take those values, each field's edges, the
 * rules across fields, and deterministic mixes of valid values.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RESERVED_ACCOUNTS } from '../../lib/image/rules.js';
import { minimal } from './helpers.js';

/** One spec of the corpus. */
export interface Variant {
  title: string;
  spec: unknown;
  /** The verdict a case named by an issue must get (both sides); unset: they must only agree. */
  valid?: boolean;
  /** A rule (by id) only the validator can check here: the schema accepts, the validator refuses. */
  beyond?: string;
}

type Spec = Record<string, unknown>;

const with_ = (change: Spec): Spec => {
  const spec: Spec = { ...minimal, ...change };
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete spec[key];
  return spec;
};

interface Case { value: unknown; valid: boolean; why?: string }
const table = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/values/cases.json'), 'utf8')) as Record<string, Case[]>;

/** The cases issues 12 and 14 found accepted (or refused only late), each with the verdict it must now get. */
export const ISSUE_CASES: Variant[] = [
  { title: 'nginx on the app\'s default port (issue 12)', spec: with_({ nginx: { port: 3000 } }), valid: false },
  { title: 'the app on nginx\'s default port (issue 12)', spec: with_({ app: { port: 80 } }), valid: false },
  { title: 'an alias repeating the default hostname (issue 12)', spec: with_({ aliases: ['www.foobar.com'] }), valid: false },
  { title: 'a description of 300 emoji (issue 12): 300 characters, accepted by both', spec: with_({ description: '😀'.repeat(300) }), valid: true },
  { title: 'a description of 501 emoji', spec: with_({ description: '😀'.repeat(501) }), valid: false },
  { title: 'a description of 500 emoji', spec: with_({ description: '🦊'.repeat(500) }), valid: true },
  { title: 'hostname localhost (issues 12, 14)', spec: with_({ hostname: 'localhost' }), valid: false },
  { title: 'alias localhost (issue 14)', spec: with_({ aliases: ['localhost'] }), valid: false },
  { title: 'hostname www.123 (issue 12)', spec: with_({ hostname: 'www.123' }), valid: false },
  { title: 'hostname 10.0.0.5 (issue 12)', spec: with_({ hostname: '10.0.0.5' }), valid: false },
  { title: 'network.ip 192.168.56.255 (issue 12)', spec: with_({ network: { ip: '192.168.56.255' } }), valid: false },
  { title: 'a hostname of 65 characters (issue 14)', spec: with_({ hostname: `www.${'c'.repeat(57)}.com` }), valid: false },
  { title: 'a hostname of 64 characters', spec: with_({ hostname: `www.${'c'.repeat(56)}.com` }), valid: true },
  { title: 'an alias of 65 characters', spec: with_({ aliases: [`www.${'c'.repeat(57)}.com`] }), valid: true },
  { title: 'nginx.port 22 (issue 14)', spec: with_({ nginx: { port: 22 } }), valid: false },
  { title: 'nginx.port 3306 (issue 14)', spec: with_({ nginx: { port: 3306 } }), valid: false },
  { title: 'app.port 22', spec: with_({ app: { port: 22 } }), valid: false },
  { title: 'app.port 3306', spec: with_({ app: { port: 3306 } }), valid: false },
  { title: 'app.port 1023, below 1024 (issue 14)', spec: with_({ app: { port: 1023 } }), valid: false },
  { title: 'app.port 443 (issue 14)', spec: with_({ app: { port: 443 } }), valid: false },
  { title: 'app.port 1024', spec: with_({ app: { port: 1024 } }), valid: true },
  { title: 'version 1.0.0-01 (issue 14)', spec: with_({ version: '1.0.0-01' }), valid: false },
  { title: 'version 1.0.0-0.1', spec: with_({ version: '1.0.0-0.1' }), valid: true },
  ...['vagrant', 'mysql', 'www-data', 'nobody', 'root'].map((user) => ({ title: `app.user ${user} (issue 14)`, spec: with_({ app: { user } }), valid: false })),
];

/** The shared value table, applied to the fields that take each kind of value. */
function fromTable(): Variant[] {
  const variants: Variant[] = [];
  for (const c of table.vmHostname ?? []) variants.push({ title: `hostname ${JSON.stringify(c.value).slice(0, 50)}`, spec: with_({ hostname: c.value }), valid: c.valid });
  for (const c of table.hostname ?? []) {
    variants.push({ title: `alias ${JSON.stringify(c.value).slice(0, 50)}`, spec: with_({ hostname: 'app.example.org', aliases: [c.value] }), valid: c.valid });
  }
  for (const c of table.ipv4 ?? []) {
    variants.push({ title: `network.ip ${JSON.stringify(c.value)}`, spec: with_({ network: { ip: c.value } }), valid: c.valid });
  }
  for (const c of table.port ?? []) {
    // The spec takes JSON numbers only (a string is an environment variable's form); 22 and 3306 are the box's.
    const valid = c.valid && typeof c.value === 'number' && c.value !== 22 && c.value !== 3306 && c.value !== 3000;
    variants.push({ title: `nginx.port ${JSON.stringify(c.value)}`, spec: with_({ nginx: { port: c.value } }), valid });
  }
  return variants;
}

/** Each field's edges, one change at a time. */
const EDGES: Array<[string, Spec]> = [
  ['a minimal spec', {}], ['no name', { name: undefined }], ['no version', { version: undefined }], ['name null', { name: null }],
  ['name with capitals', { name: 'FooBar' }], ['name ending in a dash', { name: 'foo-' }], ['name of 64', { name: 'a'.repeat(64) }],
  ['name of 65', { name: 'a'.repeat(65) }], ['name a number', { name: 42 }], ['version 1.0', { version: '1.0' }],
  ['version with build metadata', { version: '1.0.0+abc' }], ['version v1.0.0', { version: 'v1.0.0' }], ['version rc', { version: '1.0.0-rc.1' }],
  ['version 01.0.0', { version: '01.0.0' }], ['version of 129 characters', { version: `1.0.0-${'a'.repeat(123)}` }],
  ['description of two lines', { description: 'one\ntwo' }], ['description with DEL', { description: 'a\u007fb' }],
  ['description of 500', { description: 'x'.repeat(500) }], ['description of 501', { description: 'x'.repeat(501) }],
  ['description null', { description: null }], ['$schema a string', { $schema: 'x.json' }], ['$schema a number', { $schema: 1 }],
  ['base debian-12', { base: 'debian-12' }], ['base debian-11', { base: 'debian-11' }], ['base a number', { base: 12 }],
  ['custom base', { base: { image: 'disks/base.qcow2', sha256: 'a'.repeat(64) } }],
  ['custom base over https', { base: { image: 'https://example.org/d.qcow2', sha256: 'b'.repeat(64), os: 'ubuntu-24.04' } }],
  ['custom base at an absolute path', { base: { image: '/srv/d.qcow2', sha256: 'b'.repeat(64) } }],
  ['custom base going up', { base: { image: '../d.qcow2', sha256: 'b'.repeat(64) } }],
  ['custom base uppercase sha', { base: { image: 'd.qcow2', sha256: 'B'.repeat(64) } }], ['custom base no sha', { base: { image: 'd.qcow2' } }],
  ['custom base unknown os', { base: { image: 'd.qcow2', sha256: 'b'.repeat(64), os: 'arch' } }],
  ['custom base unknown key', { base: { image: 'd.qcow2', sha256: 'b'.repeat(64), url: 'x' } }], ['base an empty object', { base: {} }],
  ['no providers', { providers: [] }], ['providers twice', { providers: ['libvirt', 'libvirt'] }], ['providers vmware', { providers: ['vmware'] }],
  ['providers a string', { providers: 'libvirt' }], ['both providers', { providers: ['virtualbox', 'libvirt'] }],
  ['aliases a string', { aliases: 'foobar.com' }], ['aliases empty', { aliases: [] }], ['aliases a number item', { aliases: [1] }],
  ['build kind docker', { build: { kind: 'docker' } }], ['build kind vm', { build: { kind: 'vm' } }], ['build null', { build: null }],
  ['accelerator hvf', { build: { accelerator: 'hvf' } }], ['accelerator kvm', { build: { accelerator: 'kvm' } }],
  ['ssh timeout empty', { build: { sshTimeout: '' } }], ['ssh timeout 1d', { build: { sshTimeout: '1d' } }], ['ssh timeout 1h30m', { build: { sshTimeout: '1h30m' } }],
  ['build unknown key', { build: { fast: true } }], ['0 cpus', { vm: { cpus: 0 } }], ['64 cpus', { vm: { cpus: 64 } }], ['65 cpus', { vm: { cpus: 65 } }],
  ['1.5 cpus', { vm: { cpus: 1.5 } }], ['cpus a string', { vm: { cpus: '2' } }], ['511 MiB', { vm: { memory: 511 } }], ['262145 MiB', { vm: { memory: 262145 } }],
  ['disk 2047', { vm: { diskSize: 2047 } }], ['disk 2097152', { vm: { diskSize: 2097152 } }], ['vm a list', { vm: [] }],
  ['nginx 65535', { nginx: { port: 65535 } }], ['nginx 0', { nginx: { port: 0 } }], ['nginx 80.5', { nginx: { port: 80.5 } }],
  ['nginx body 1t', { nginx: { clientMaxBodySize: '1t' } }], ['nginx body 10M', { nginx: { clientMaxBodySize: '10M' } }],
  ['proxy timeout 0', { nginx: { proxyTimeout: 0 } }], ['proxy timeout 3600', { nginx: { proxyTimeout: 3600 } }], ['nginx gzip', { nginx: { gzip: true } }],
  ['app source up', { app: { source: '../app' } }], ['app source absolute', { app: { source: '/srv/app' } }], ['app source nested', { app: { source: 'src/app' } }],
  ['entry ts', { app: { entry: 'server.ts' } }], ['entry cjs', { app: { entry: 'server.cjs' } }], ['entry mjs', { app: { entry: 'lib/main.mjs' } }],
  ['app 65535', { app: { port: 65535 } }], ['app 65536', { app: { port: 65536 } }], ['app port a string', { app: { port: '3000' } }],
  ['app user App', { app: { user: 'App' } }], ['app user web', { app: { user: 'web' } }], ['app user of 32', { app: { user: 'a'.repeat(32) } }],
  ['app user of 31', { app: { user: 'a'.repeat(31) } }], ['app user _svc', { app: { user: '_svc' } }], ['app user -x', { app: { user: '-x' } }],
  ['app a string', { app: 'server.js' }], ['engine postgres', { database: { engine: 'postgres' } }], ['engine mariadb', { database: { engine: 'mariadb' } }],
  ['db name my-app', { database: { name: 'my-app' } }], ['db name of 33', { database: { name: `a${'b'.repeat(32)}` } }], ['db name of 32', { database: { name: `a${'b'.repeat(31)}` } }],
  ['db name MySQL', { database: { name: 'MySQL' } }], ['db name Information_Schema', { database: { name: 'Information_Schema' } }], ['db name sys', { database: { name: 'sys' } }],
  ['db name shop', { database: { name: 'shop' } }], ['db user ROOT', { database: { user: 'ROOT' } }], ['db user mysql', { database: { user: 'mysql' } }],
  ['db user shop_rw', { database: { user: 'shop_rw' } }], ['db user with a quote', { database: { user: "app'--" } }],
  ['ip leading zero', { network: { ip: '192.168.056.10' } }], ['network unknown key', { network: { ip: '192.168.56.10', mask: 24 } }],
  ['firewall yes', { firewall: { enabled: 'yes' } }], ['firewall off', { firewall: { enabled: false } }], ['firewall null', { firewall: { enabled: null } }],
  ['an unknown top-level field', { colour: 'blue' }], ['nginx a number', { nginx: 80 }], ['hostname null', { hostname: null }],
  ['app port null', { app: { port: null } }], ['build kind null', { build: { kind: null } }],
];

/** The rules across fields, where the schema can see them and where only the validator can. */
const ACROSS: Variant[] = [
  { title: 'both ports given and equal', spec: with_({ nginx: { port: 8080 }, app: { port: 8080 } }), beyond: 'ports-differ' },
  { title: 'both ports given and different', spec: with_({ nginx: { port: 8080 }, app: { port: 8081 } }) },
  { title: 'nginx on 3000 with the app moved', spec: with_({ nginx: { port: 3000 }, app: { port: 4000 } }) },
  { title: 'the app on 8080 with nginx left on 80', spec: with_({ app: { port: 8080 } }) },
  { title: 'an alias repeating a given hostname', spec: with_({ hostname: 'app.example.org', aliases: ['app.example.org'] }), beyond: 'aliases-distinct' },
  { title: 'an alias repeating the default hostname in capitals', spec: with_({ aliases: ['WWW.FooBar.com'] }) },
  { title: 'an alias repeating a given hostname in capitals', spec: with_({ hostname: 'app.example.org', aliases: ['APP.example.org'] }), beyond: 'aliases-distinct' },
  { title: 'two equal aliases', spec: with_({ aliases: ['foobar.com', 'foobar.com'] }) },
  { title: 'two aliases differing in case', spec: with_({ aliases: ['foobar.com', 'FOOBAR.com'] }), beyond: 'aliases-distinct' },
  { title: 'the default hostname as an alias of another hostname', spec: with_({ hostname: 'app.example.org', aliases: ['www.foobar.com'] }) },
  { title: 'virtualbox with 10.0.0.5', spec: with_({ providers: ['virtualbox'], network: { ip: '10.0.0.5' } }) },
  { title: 'virtualbox with 192.168.63.254', spec: with_({ providers: ['virtualbox'], network: { ip: '192.168.63.254' } }) },
  { title: 'virtualbox with 192.168.64.1', spec: with_({ providers: ['libvirt', 'virtualbox'], network: { ip: '192.168.64.1' } }) },
  { title: 'virtualbox with the default ip', spec: with_({ providers: ['virtualbox'] }) },
  { title: 'libvirt only with 10.0.0.5', spec: with_({ providers: ['libvirt'], network: { ip: '10.0.0.5' } }) },
  { title: 'chroot of the default (ubuntu) base', spec: with_({ build: { kind: 'chroot' } }) },
  { title: 'chroot of debian-12', spec: with_({ base: 'debian-12', build: { kind: 'chroot' } }) },
  { title: 'chroot of ubuntu-24.04 given', spec: with_({ base: 'ubuntu-24.04', build: { kind: 'chroot' } }) },
  { title: 'chroot of a custom image', spec: with_({ base: { image: 'd.qcow2', sha256: 'b'.repeat(64) }, build: { kind: 'chroot' } }) },
  { title: 'vm kind of a custom image', spec: with_({ base: { image: 'd.qcow2', sha256: 'b'.repeat(64) }, build: { kind: 'vm' } }) },
];

/** A small deterministic generator (mulberry32), so the mixes are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes of valid field values (and one wrong value in every third mix). Pools never collide across fields. */
function mixes(count: number): Variant[] {
  const next = random(12);
  const pick = <T>(pool: readonly T[]): T => pool[Math.floor(next() * pool.length)] as T;
  const pools: Record<string, unknown[]> = {
    base: ['ubuntu-24.04', 'debian-12', { image: 'd.qcow2', sha256: 'c'.repeat(64) }],
    providers: [['libvirt'], ['virtualbox'], ['libvirt', 'virtualbox']],
    hostname: ['www.foobar.com', 'app.example.org', 'x1', 'shop.test'],
    aliases: [[], ['foobar.com'], ['a.example', 'b.example']],
    build: [{}, { kind: 'vm' }, { kind: 'chroot' }, { accelerator: 'tcg', sshTimeout: '20m' }],
    vm: [{}, { cpus: 4, memory: 2048 }, { diskSize: 10240 }],
    nginx: [{}, { port: 8080 }, { port: 443, proxyTimeout: 30 }],
    app: [{}, { port: 4000 }, { user: 'web', entry: 'main.mjs' }],
    database: [{}, { engine: 'mariadb', name: 'shop' }],
    network: [{}, { ip: '192.168.57.20' }, { ip: '10.1.2.3' }],
    firewall: [{}, { enabled: false }],
  };
  const wrong: Array<[string, unknown]> = [
    ['hostname', 'localhost'], ['aliases', ['10.0.0.5']], ['nginx', { port: 22 }], ['app', { user: 'mysql' }], ['network', { ip: '192.168.56.0' }],
    ['version', '1.0.0-01'], ['app', { port: 1000 }], ['description', '\t'], ['vm', { cpus: 0 }], ['base', 'debian-11'],
  ];
  const variants: Variant[] = [];
  for (let i = 0; i < count; i++) {
    const spec: Spec = { ...minimal };
    for (const [field, pool] of Object.entries(pools)) if (next() < 0.6) spec[field] = pick(pool);
    if (i % 3 === 2) {
      const [field, value] = pick(wrong);
      spec[field] = value;
    }
    variants.push({ title: `mix ${i}`, spec });
  }
  return variants;
}

/** The whole corpus. */
export function corpus(): Variant[] {
  return [
    ...ISSUE_CASES,
    ...fromTable(),
    ...EDGES.map(([title, change]) => ({ title, spec: with_(change) })),
    ...ACROSS,
    ...RESERVED_ACCOUNTS.map((user) => ({ title: `app.user ${user}`, spec: with_({ app: { user } }), valid: false })),
    { title: 'a spec that is a list', spec: [] }, { title: 'a spec that is null', spec: null }, { title: 'a spec that is a string', spec: 'x' },
    ...mixes(80),
  ];
}
