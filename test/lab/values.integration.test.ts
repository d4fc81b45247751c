import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, runRubyCases } from './helpers.js';

// The lab's Ruby value rules (vagrant/values.rb, as Settings applies them) and its "auto"
// accelerator fallback, run by test/lab/values_test.rb against the shared tables in
// test/fixtures/values/ — the same tables the TypeScript rules are tested against.
const values = JSON.parse(readFileSync(join(root, 'test/fixtures/values/cases.json'), 'utf8')) as Record<string, unknown[]>;
const ruby = runRubyCases('values_test.rb');

test('the Ruby value runner checks every case of the shared table and exits 0', (t) => {
  t.is(ruby.status, 0, ruby.stderr);
  for (const [kind, cases] of Object.entries(values)) {
    t.true(cases.length >= 15, `${kind} has at least 15 cases`);
    t.is(ruby.cases.filter((c) => c.name.startsWith(`${kind} `) && c.name.endsWith(' by Values')).length, cases.length, `${kind}: every case was run`);
  }
});

for (const c of ruby.cases) {
  test(`the Ruby lab rules: ${c.name}`, (t) => {
    t.true(c.ok, c.detail ?? undefined);
  });
}
