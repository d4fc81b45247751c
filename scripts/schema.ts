/**
 * `npm run schema`: writes schema/image.schema.json and the README's field table from the image
 * spec's definition (lib/image/schema.ts). Tests fail when either is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withFieldTable } from '../lib/image/field-table.js';
import { SCHEMA_FILE, imageJsonSchemaText } from '../lib/image/json-schema.js';

const root = path.resolve(import.meta.dirname, '..');
await writeFile(path.join(root, SCHEMA_FILE), imageJsonSchemaText());
const readmePath = path.join(root, 'README.md');
await writeFile(readmePath, withFieldTable(await readFile(readmePath, 'utf8')));
process.stdout.write(`wrote ${SCHEMA_FILE} and the field table of README.md\n`);
