/**
 * `npm run schema`: writes what is generated from a definition in lib/: schema/image.schema.json and
 * the README's field table from the image spec (lib/image/schema.ts), and the README's table of
 * Lynis decisions (lib/verify/hardening-decisions.ts). Tests fail when any is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withFieldTable } from '../lib/image/field-table.js';
import { SCHEMA_FILE, imageJsonSchemaText } from '../lib/image/json-schema.js';
import { withDecisionTable } from '../lib/verify/hardening-decisions.js';

const root = path.resolve(import.meta.dirname, '..');
await writeFile(path.join(root, SCHEMA_FILE), imageJsonSchemaText());
const readmePath = path.join(root, 'README.md');
await writeFile(readmePath, withDecisionTable(withFieldTable(await readFile(readmePath, 'utf8'))));
process.stdout.write(`wrote ${SCHEMA_FILE}, the field table and the Lynis decision table of README.md\n`);
