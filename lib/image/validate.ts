import { BoxwrightError } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import {
  ACCELERATORS, BASE_NAMES, BOX_NAME, BUILD_KINDS, DATABASE_ENGINES, DURATION, NGINX_SIZE, PROVIDERS,
  RELATIVE_PATH, SEMVER, SHA256, SQL_IDENTIFIER, UNIX_USER, isHostname, isIPv4, isPort,
} from './rules.js';
import type { BaseSpec, ImageSpec, Provider } from './types.js';
import { inVirtualBoxHostOnlyRange } from './values.js';

type Json = Record<string, unknown>;

function invalid(path: string, message: string): never {
  throw new BoxwrightError('E_SPEC_INVALID', `image spec: ${path}: ${message}`, { path });
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field's value, or the default when it is absent. `null` is refused: it is never a default. */
function valueOr<T>(obj: Json, key: string, path: string, fallback: T): unknown {
  const value = obj[key];
  if (value === null) invalid(path, `is null; give a value or leave the field out to get the default${fallback === undefined ? '' : ` (${JSON.stringify(fallback)})`}`);
  return value === undefined ? fallback : value;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Refuses keys that the spec does not know, naming the closest known ones. */
function onlyKnownKeys(value: Json, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const where = path === '' ? key : `${path}.${key}`;
      invalid(where, `unknown field; remove it (known fields here: ${known.join(', ')})`);
    }
  }
}

function section(input: Json, key: string): Json {
  const value = input[key];
  if (value === undefined) return {};
  if (!isObject(value)) invalid(key, `must be an object, got ${describe(value)}`);
  return value;
}

function stringField(obj: Json, key: string, path: string, fallback: string | undefined, check: (v: string) => boolean, fix: string): string {
  const value = valueOr(obj, key, path, fallback);
  if (value === undefined) invalid(path, `is required; ${fix}`);
  if (typeof value !== 'string') invalid(path, `must be a string, got ${describe(value)}; ${fix}`);
  if (!check(value)) invalid(path, `${describe(value)} is not valid; ${fix}`);
  return value;
}

function oneOf<T extends string>(obj: Json, key: string, path: string, fallback: T, allowed: readonly T[]): T {
  const value = valueOr(obj, key, path, fallback);
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    invalid(path, `${describe(value)} is not allowed; use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

function intField(obj: Json, key: string, path: string, fallback: number, min: number, max: number, unit = ''): number {
  const value = valueOr(obj, key, path, fallback);
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    invalid(path, `${describe(value)} is not valid; use a whole number from ${min} to ${max}${unit}`);
  }
  return value as number;
}

function portField(obj: Json, key: string, path: string, fallback: number): number {
  const value = valueOr(obj, key, path, fallback);
  if (!isPort(value)) invalid(path, `${describe(value)} is not a port; use a whole number from 1 to 65535`);
  return value;
}

function booleanField(obj: Json, key: string, path: string, fallback: boolean): boolean {
  const value = valueOr(obj, key, path, fallback);
  if (typeof value !== 'boolean') invalid(path, `must be true or false, got ${describe(value)}`);
  return value;
}

function validateBase(value: unknown): BaseSpec {
  if (value === undefined) return DEFAULTS.base;
  if (typeof value === 'string') {
    if (!(BASE_NAMES as readonly string[]).includes(value)) {
      invalid('base', `${describe(value)} is not a known base; use "ubuntu-24.04", "debian-12", or { "image": URL-or-path, "sha256": HEX }`);
    }
    return value as BaseSpec;
  }
  if (!isObject(value)) invalid('base', `must be a base name or an object { image, sha256, os? }, got ${describe(value)}`);
  onlyKnownKeys(value, ['image', 'sha256', 'os'], 'base');
  const image = stringField(value, 'image', 'base.image', undefined,
    (v) => /^https?:\/\/[^\s'"\\]+$/.test(v) || RELATIVE_PATH.test(v) || /^\/[A-Za-z0-9._/-]+$/.test(v),
    'give an http(s) URL or a file path of a qcow2 disk image (letters, digits, . _ - /)');
  const sha256 = stringField(value, 'sha256', 'base.sha256', undefined, (v) => SHA256.test(v),
    'give the 64 lowercase hex digits printed by `sha256sum <image>`');
  const os = oneOf(value, 'os', 'base.os', 'debian-12', BASE_NAMES);
  return { image, sha256, os };
}

function validateProviders(value: unknown): Provider[] {
  if (value === undefined) return [...DEFAULTS.providers];
  if (!Array.isArray(value) || value.length === 0) invalid('providers', `must be a non-empty list such as ["libvirt", "virtualbox"], got ${describe(value)}`);
  const seen = new Set<string>();
  value.forEach((provider, index) => {
    if (typeof provider !== 'string' || !(PROVIDERS as readonly string[]).includes(provider)) {
      invalid(`providers[${index}]`, `${describe(provider)} is not a known provider; use "libvirt" or "virtualbox"`);
    }
    if (seen.has(provider)) invalid(`providers[${index}]`, `"${provider}" is listed twice; list each provider once`);
    seen.add(provider);
  });
  return value as Provider[];
}

function validateAliases(value: unknown, hostname: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) invalid('aliases', `must be a list of host names, got ${describe(value)}`);
  return value.map((alias, index) => {
    if (typeof alias !== 'string' || !isHostname(alias)) {
      invalid(`aliases[${index}]`, `${describe(alias)} is not an RFC 1123 host name; use letters, digits, dashes and dots, e.g. "foobar.com"`);
    }
    if (alias === hostname) invalid(`aliases[${index}]`, `repeats the hostname; remove it`);
    return alias;
  });
}

/**
 * Validates an image spec (as parsed from image.json) and applies every default.
 * Throws {@link BoxwrightError} `E_SPEC_INVALID` whose `path` names the first wrong field and
 * whose message says how to fix it. Nothing is read or written.
 *
 * @param input parsed JSON of image.json
 * @param dir absolute folder of image.json (relative paths resolve against it)
 */
export function validateImage(input: unknown, dir = process.cwd()): ImageSpec {
  if (!isObject(input)) invalid('(root)', `must be a JSON object, got ${describe(input)}`);
  onlyKnownKeys(input, ['$schema', 'name', 'version', 'description', 'base', 'providers', 'hostname', 'aliases',
    'build', 'vm', 'nginx', 'app', 'database', 'network', 'firewall'], '');
  if (input.$schema !== undefined && typeof input.$schema !== 'string') invalid('$schema', 'must be a string (a path or URL of the JSON Schema)');

  const name = stringField(input, 'name', 'name', undefined, (v) => BOX_NAME.test(v),
    'use lowercase letters, digits and dashes, e.g. "foobar-web"');
  const version = stringField(input, 'version', 'version', undefined, (v) => SEMVER.test(v),
    'use semver X.Y.Z, e.g. "1.0.0"');
  const description = stringField(input, 'description', 'description', DEFAULTS.description,
    (v) => v.length <= 500 && !/[\u0000-\u001f]/.test(v), 'use one line of at most 500 characters');
  const base = validateBase(input.base);
  const providers = validateProviders(input.providers);
  const hostname = stringField(input, 'hostname', 'hostname', DEFAULTS.hostname, isHostname,
    'use an RFC 1123 host name: letters, digits, dashes and dots, e.g. "www.foobar.com"');
  const aliases = validateAliases(input.aliases, hostname);

  const buildIn = section(input, 'build');
  onlyKnownKeys(buildIn, ['kind', 'accelerator', 'sshTimeout'], 'build');
  const build = {
    kind: oneOf(buildIn, 'kind', 'build.kind', DEFAULTS.build.kind, BUILD_KINDS),
    accelerator: oneOf(buildIn, 'accelerator', 'build.accelerator', DEFAULTS.build.accelerator, ACCELERATORS),
    sshTimeout: stringField(buildIn, 'sshTimeout', 'build.sshTimeout', DEFAULTS.build.sshTimeout,
      (v) => v !== '' && DURATION.test(v), 'use a duration such as "15m" or "1h30m"'),
  };
  const osOfBase = typeof base === 'string' ? base : base.os ?? 'debian-12';
  if (build.kind === 'chroot' && osOfBase !== 'debian-12') {
    invalid('build.kind', `"chroot" needs a base bootstrapped from a Debian mirror; use "base": "debian-12" or "kind": "vm"`);
  }
  if (build.kind === 'chroot' && typeof base !== 'string') {
    invalid('build.kind', `"chroot" cannot provision a custom disk image; use "kind": "vm" or "auto"`);
  }

  const vmIn = section(input, 'vm');
  onlyKnownKeys(vmIn, ['cpus', 'memory', 'diskSize'], 'vm');
  const vm = {
    cpus: intField(vmIn, 'cpus', 'vm.cpus', DEFAULTS.vm.cpus, 1, 64),
    memory: intField(vmIn, 'memory', 'vm.memory', DEFAULTS.vm.memory, 512, 262144, ' (MiB)'),
    diskSize: intField(vmIn, 'diskSize', 'vm.diskSize', DEFAULTS.vm.diskSize, 2048, 2097152, ' (MiB)'),
  };

  const nginxIn = section(input, 'nginx');
  onlyKnownKeys(nginxIn, ['port', 'clientMaxBodySize', 'proxyTimeout'], 'nginx');
  const nginx = {
    port: portField(nginxIn, 'port', 'nginx.port', DEFAULTS.nginx.port),
    clientMaxBodySize: stringField(nginxIn, 'clientMaxBodySize', 'nginx.clientMaxBodySize', DEFAULTS.nginx.clientMaxBodySize,
      (v) => NGINX_SIZE.test(v), 'use an nginx size such as "1m", "512k" or "10m"'),
    proxyTimeout: intField(nginxIn, 'proxyTimeout', 'nginx.proxyTimeout', DEFAULTS.nginx.proxyTimeout, 1, 3600, ' (seconds)'),
  };

  const appIn = section(input, 'app');
  onlyKnownKeys(appIn, ['source', 'entry', 'port', 'user'], 'app');
  const app = {
    source: stringField(appIn, 'source', 'app.source', DEFAULTS.app.source, (v) => RELATIVE_PATH.test(v),
      'give a folder relative to image.json without "..", e.g. "app"'),
    entry: stringField(appIn, 'entry', 'app.entry', DEFAULTS.app.entry, (v) => RELATIVE_PATH.test(v) && /\.(m|c)?js$/.test(v),
      'give a .js file relative to the app folder, e.g. "server.js"'),
    port: portField(appIn, 'port', 'app.port', DEFAULTS.app.port),
    user: stringField(appIn, 'user', 'app.user', DEFAULTS.app.user, (v) => UNIX_USER.test(v) && v !== 'root',
      'use a lowercase system user name (letters, digits, _ and -), not root'),
  };
  if (app.port === nginx.port) invalid('app.port', `equals nginx.port (${nginx.port}); the app needs a port of its own, e.g. 3000`);
  if (app.port === 3306 || app.port === 22) invalid('app.port', `${app.port} is taken by the database or SSH; use another port, e.g. 3000`);

  const dbIn = section(input, 'database');
  onlyKnownKeys(dbIn, ['engine', 'name', 'user'], 'database');
  const database = {
    engine: oneOf(dbIn, 'engine', 'database.engine', DEFAULTS.database.engine, DATABASE_ENGINES),
    name: stringField(dbIn, 'name', 'database.name', DEFAULTS.database.name, (v) => SQL_IDENTIFIER.test(v) && !['mysql', 'sys', 'test', 'information_schema', 'performance_schema'].includes(v.toLowerCase()),
      'use a letter then letters, digits or _ (at most 32), not a system schema name'),
    user: stringField(dbIn, 'user', 'database.user', DEFAULTS.database.user, (v) => SQL_IDENTIFIER.test(v) && !['root', 'mysql', 'mariadb.sys', 'debian-sys-maint'].includes(v.toLowerCase()),
      'use a letter then letters, digits or _ (at most 32), not root'),
  };

  const netIn = section(input, 'network');
  onlyKnownKeys(netIn, ['ip'], 'network');
  const network = {
    ip: stringField(netIn, 'ip', 'network.ip', DEFAULTS.network.ip, isIPv4, 'use a dotted IPv4 address such as "192.168.56.10"'),
  };
  if (providers.includes('virtualbox') && !inVirtualBoxHostOnlyRange(network.ip)) {
    invalid('network.ip', `${network.ip} is outside VirtualBox's allowed host-only range 192.168.56.0/21; use e.g. 192.168.56.10`);
  }

  const fwIn = section(input, 'firewall');
  onlyKnownKeys(fwIn, ['enabled'], 'firewall');
  const firewall = { enabled: booleanField(fwIn, 'enabled', 'firewall.enabled', DEFAULTS.firewall.enabled) };

  return { name, version, description, base, providers, hostname, aliases, build, vm, nginx, app, database, network, firewall, dir };
}

export { inVirtualBoxHostOnlyRange } from './values.js';
