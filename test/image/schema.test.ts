import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import semver from 'semver';
import { DEFAULTS } from '../../lib/image/defaults.js';
import { fieldRows, withFieldTable } from '../../lib/image/field-table.js';
import type { JsonSchema } from '../../lib/image/fields.js';
import { SCHEMA_FILE, imageJsonSchema, imageJsonSchemaText } from '../../lib/image/json-schema.js';
import { loadImage } from '../../lib/image/load.js';
import { SEMVER } from '../../lib/image/rules.js';
import { SPEC_RULES } from '../../lib/image/spec-rules.js';
import { minimal, schemaAccepts, strictAjv, validatorAccepts } from './helpers.js';

const root = path.resolve(import.meta.dirname, '../..');
const schemaPath = path.join(root, SCHEMA_FILE);
const committed = await readFile(schemaPath, 'utf8');
const schema = JSON.parse(committed) as JsonSchema;
const properties = schema.properties as Record<string, JsonSchema>;

test('schema/image.schema.json is the file generated from lib/image/schema.ts (run `npm run schema` when this fails)', (t) => {
  t.is(committed, imageJsonSchemaText());
});

test('Ajv in strict mode compiles the schema', (t) => {
  t.notThrows(() => strictAjv().compile(schema));
  t.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
});

test('the README field table is the one generated from the definition (run `npm run schema` when this fails)', async (t) => {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  t.is(readme, withFieldTable(readme));
});

test('the README field table has one row for each field, with its default', (t) => {
  const rows = fieldRows(schema);
  const leaves = Object.entries(DEFAULTS).flatMap(([key, value]) => (typeof value === 'object' && !Array.isArray(value) && key !== 'base'
    ? Object.entries(value as object).map(([inner, innerValue]) => [`\`${key}.${inner}\``, `\`${JSON.stringify(innerValue)}\``])
    : [[`\`${key}\``, `\`${JSON.stringify(value)}\``]]));
  t.deepEqual(rows.map((row) => row[0]), ['`name`', '`version`', ...leaves.map(([field]) => field)]);
  for (const [field, fallback] of leaves) t.is(rows.find((row) => row[0] === field)?.[2], fallback, field);
  for (const row of rows) t.true((row[3] ?? '').length > 10, `${row[0]} has a description`);
});

test('the schema requires name and version and refuses unknown fields everywhere', (t) => {
  t.deepEqual(schema.required, ['name', 'version']);
  t.is(schema.additionalProperties, false);
  for (const [key, node] of Object.entries(properties)) {
    if (node.type === 'object') t.is(node.additionalProperties, false, key);
  }
  t.is(((schema.$defs as Record<string, JsonSchema>).customBase)?.additionalProperties, false);
});

test('every rule across fields is in the schema, with what it leaves to the validator', (t) => {
  const comments = (schema.allOf as JsonSchema[]).map((part) => String(part.$comment));
  for (const rule of SPEC_RULES) {
    const mine = comments.filter((comment) => comment.startsWith(`${rule.id}:`));
    t.true(mine.length > 0, rule.id);
    if (rule.beyondJsonSchema) t.true(mine.every((comment) => comment.includes(rule.beyondJsonSchema ?? '')), rule.id);
  }
  t.is(comments.length, SPEC_RULES.reduce((n, rule) => n + rule.jsonSchema({ hostname: DEFAULTS.hostname, nginxPort: DEFAULTS.nginx.port, appPort: DEFAULTS.app.port, ip: DEFAULTS.network.ip }).length, 0));
});

test('building the schema twice gives the same schema (no hidden state)', (t) => {
  t.deepEqual(imageJsonSchema(), imageJsonSchema());
});

/** Version strings around every semver rule: leading zeros, pre-release forms, build metadata, sizes. */
function versionSamples(): string[] {
  const numbers = ['0', '1', '01', '00', '10', '999999999999999', '9999999999999999', 'x', ''];
  const pre = ['', '-0', '-01', '-1', '-rc', '-rc.1', '-rc.01', '-0a', '-a-b', '-1.2.3', '-', '-rc..1', '-rc_1', '-é', '-01a', '-.1'];
  const samples: string[] = [];
  for (const a of numbers) for (const b of ['0', '01']) for (const p of pre) samples.push(`${a}.${b}.0${p}`);
  samples.push('1.0.0+build', '1.0.0-rc.1+b', 'v1.0.0', '=1.0.0', ' 1.0.0', '1.0.0 ', '1.0', '1.0.0.0', `1.0.0-${'a'.repeat(130)}`);
  return samples;
}

test('the version rule accepts exactly what semver.valid accepts, without build metadata', (t) => {
  for (const version of versionSamples()) {
    const bySemver = semver.valid(version) === version && !version.includes('+') && version.length <= 128;
    t.is(SEMVER.test(version) && version.length <= 128, bySemver, version);
    t.is(validatorAccepts({ ...minimal, version }), bySemver, `validator: ${version}`);
    t.is(schemaAccepts({ ...minimal, version }), bySemver, `schema: ${version}`);
  }
  t.false(validatorAccepts({ ...minimal, version: '1.0.0-01' }));
});

test('images/foobar-web/image.json points at the schema and passes both the validator and the schema', async (t) => {
  const file = path.join(root, 'images', 'foobar-web', 'image.json');
  const spec = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  t.is(path.resolve(path.dirname(file), spec.$schema as string), schemaPath);
  t.is((await loadImage(file)).name, 'foobar-web');
  t.true(schemaAccepts(spec));
});
