import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, runRubyCases } from './helpers.js';

// The hosts-block code the Vagrantfile runs (vagrant/hosts_block.rb), tested directly in Ruby
// against test/fixtures/lab/hosts-block-cases.json by test/lab/hosts_block_test.rb.
const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/lab/hosts-block-cases.json'), 'utf8')) as { cases: Array<{ name: string }> };
const ruby = runRubyCases('hosts_block_test.rb');

test('the Ruby hosts-block runner checks every fixture case and exits 0', (t) => {
  t.is(ruby.status, 0, ruby.stderr);
  const names = new Set(ruby.cases.map((c) => c.name));
  t.deepEqual(fixture.cases.filter((c) => !names.has(c.name)).map((c) => c.name), [], 'every fixture case was run');
});

for (const c of ruby.cases) {
  test(`the Ruby hosts block: ${c.name}`, (t) => {
    t.true(c.ok, c.detail ?? undefined);
  });
}
