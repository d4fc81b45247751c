/**
 * The rules of the image spec that read more than one field (or must come after the field rules),
 * each stated once: the check the validator runs on the spec with its defaults applied, and the
 * same rule in JSON Schema for `schema/image.schema.json`, as far as JSON Schema can say it.
 * JSON Schema cannot compare two values of the input, so where a rule needs that, the schema
 * carries the part it can (e.g. against the other field's default) and `beyondJsonSchema` says
 * what only the validator checks.
 */
import type { JsonSchema } from './fields.js';
import { quote } from './fields.js';
import { APP_PORT_MIN, BASE_NAMES } from './rules.js';
import type { SpecFields } from './schema.js';
import { VIRTUALBOX_HOST_ONLY_PATTERN, VIRTUALBOX_HOST_ONLY_RANGE, anyCase, inVirtualBoxHostOnlyRange } from './values.js';

/** What a rule found wrong: the field, its value and a message that says the fix. */
export interface RuleFinding {
  path: Array<string | number>;
  value: unknown;
  message: string;
}

/** The defaults a rule's JSON Schema form depends on (a rule of the schema sees the input only). */
export interface RuleDefaults {
  hostname: string;
  nginxPort: number;
  appPort: number;
  ip: string;
}

/** One rule across fields. */
export interface SpecRule {
  /** Stable id, e.g. `ports-differ`. */
  id: string;
  /** The rule in one sentence (goes into the JSON Schema as the `description` of its part). */
  says: string;
  /** The problem in a spec whose every field is valid and defaulted, or `undefined`. */
  check(spec: SpecFields, defaults: RuleDefaults): RuleFinding | undefined;
  /** The rule in JSON Schema (each fragment goes into the root's `allOf`). */
  jsonSchema(defaults: RuleDefaults): JsonSchema[];
  /** What JSON Schema cannot express of this rule (only the validator checks it); absent when it says it all. */
  beyondJsonSchema?: string;
}

/** Bases a `chroot` build can provision: the ones bootstrapped from a Debian mirror. */
export const CHROOT_BASES: readonly string[] = BASE_NAMES.filter((base) => base.startsWith('debian-'));

/** JSON Schema: an object that has `field`. */
function has(field: string): JsonSchema {
  return { type: 'object', required: [field], properties: { [field]: true } };
}

/** JSON Schema: `then` applies when the spec does not give `section.field` (so its default holds). */
function whenLeftOut(section: string, field: string, then: JsonSchema): JsonSchema {
  return { if: { type: 'object', properties: { [section]: { type: 'object', not: has(field) } } }, then: { type: 'object', ...then } };
}

/** JSON Schema: `section.field` (when given) must satisfy `rule`. */
function fieldMust(section: string, field: string, rule: JsonSchema): JsonSchema {
  return { properties: { [section]: { type: 'object', properties: { [field]: rule } } } };
}

/** The rules, in the order they are checked. */
export const SPEC_RULES: readonly SpecRule[] = [
  {
    id: 'chroot-base',
    says: `A chroot build needs a base bootstrapped from a Debian mirror (${CHROOT_BASES.join(', ')}).`,
    check: ({ build, base }) => {
      if (build.kind !== 'chroot') return undefined;
      if (typeof base !== 'string') return { path: ['build', 'kind'], value: build.kind, message: '"chroot" cannot provision a custom disk image; use "kind": "vm" or "auto"' };
      if (!CHROOT_BASES.includes(base)) return { path: ['build', 'kind'], value: build.kind, message: `"chroot" needs a base bootstrapped from a Debian mirror; use "base": "${CHROOT_BASES[0]}" or "kind": "vm"` };
      return undefined;
    },
    jsonSchema: () => [{
      if: { type: 'object', required: ['build'], properties: { build: { type: 'object', required: ['kind'], properties: { kind: { const: 'chroot' } } } } },
      then: { type: 'object', required: ['base'], properties: { base: { enum: [...CHROOT_BASES] } } },
    }],
  },
  {
    id: 'ports-differ',
    says: 'nginx.port and app.port differ.',
    check: ({ nginx, app }, { appPort, nginxPort }) => {
      if (nginx.port !== app.port) return undefined;
      const fix = `: change nginx.port or app.port (e.g. ${nginxPort} and ${appPort})`;
      // Name the field the spec gave: nginx.port when only it moved onto the app's default.
      return app.port === appPort && nginx.port !== nginxPort
        ? { path: ['nginx', 'port'], value: nginx.port, message: `equals app.port (${app.port}, its default); nginx and the app each need a port of their own${fix}` }
        : { path: ['app', 'port'], value: app.port, message: `equals nginx.port (${nginx.port}); the app needs a port of its own${fix}` };
    },
    jsonSchema: ({ nginxPort, appPort }) => [
      whenLeftOut('app', 'port', fieldMust('nginx', 'port', { not: { const: appPort } })),
      whenLeftOut('nginx', 'port', fieldMust('app', 'port', { not: { const: nginxPort } })),
    ],
    beyondJsonSchema: 'when both ports are given, that they differ',
  },
  {
    id: 'app-port-unprivileged',
    says: `The app runs as an unprivileged user, so app.port is ${APP_PORT_MIN} or above.`,
    check: ({ app }) => (app.port >= APP_PORT_MIN ? undefined : {
      path: ['app', 'port'], value: app.port,
      message: `${app.port} is below ${APP_PORT_MIN}; the app runs as an unprivileged user, which cannot listen there: use e.g. 3000 (nginx.port is the public one)`,
    }),
    jsonSchema: () => [fieldMust('app', 'port', { type: 'integer', minimum: APP_PORT_MIN })],
  },
  {
    id: 'aliases-distinct',
    says: 'No alias repeats the hostname or another alias (in any case).',
    check: ({ hostname, aliases }) => {
      const seen = [hostname.toLowerCase()];
      for (const [index, alias] of aliases.entries()) {
        const at = seen.indexOf(alias.toLowerCase());
        if (at === 0) return { path: ['aliases', index], value: alias, message: `${quote(alias)} repeats the hostname; remove it` };
        if (at > 0) return { path: ['aliases', index], value: alias, message: `${quote(alias)} repeats aliases[${at - 1}]; list each name once` };
        seen.push(alias.toLowerCase());
      }
      return undefined;
    },
    jsonSchema: ({ hostname }) => [
      { properties: { aliases: { type: 'array', uniqueItems: true } } },
      { if: { type: 'object', not: has('hostname') }, then: { type: 'object', properties: { aliases: { type: 'array', items: { type: 'string', not: { pattern: `^${anyCase(hostname)}$` } } } } } },
    ],
    beyondJsonSchema: 'an alias equal to a hostname that is given, and aliases that differ only in case',
  },
  {
    id: 'virtualbox-range',
    says: `VirtualBox (6.1.28 and later) allows host-only addresses in ${VIRTUALBOX_HOST_ONLY_RANGE} only.`,
    check: ({ providers, network }) => {
      if (!providers.includes('virtualbox') || inVirtualBoxHostOnlyRange(network.ip)) return undefined;
      return {
        path: ['network', 'ip'], value: network.ip,
        message: `${network.ip} is outside VirtualBox's allowed host-only range ${VIRTUALBOX_HOST_ONLY_RANGE}; use e.g. 192.168.56.10`,
      };
    },
    jsonSchema: ({ ip }) => {
      // The schema sees a left-out network.ip as fine: true only while the default is in the range.
      if (!inVirtualBoxHostOnlyRange(ip)) throw new Error(`the default network.ip ${ip} must lie in ${VIRTUALBOX_HOST_ONLY_RANGE}`);
      return [{
        if: { type: 'object', required: ['providers'], properties: { providers: { type: 'array', contains: { const: 'virtualbox' } } } },
        then: { type: 'object', ...fieldMust('network', 'ip', { type: 'string', pattern: VIRTUALBOX_HOST_ONLY_PATTERN }) },
      }];
    },
  },
];
