import test from 'ava';
import { SPEC_RULES } from '../../lib/image/spec-rules.js';
import { ISSUE_CASES, corpus } from './corpus.js';
import { schemaAccepts, validatorAccepts } from './helpers.js';

const variants = corpus();

test('the corpus holds at least 200 specs, valid and invalid, with every case the issues named', (t) => {
  t.true(variants.length >= 200, `${variants.length} specs`);
  const verdicts = variants.map((v) => validatorAccepts(v.spec));
  t.true(verdicts.filter(Boolean).length >= 50, 'valid specs');
  t.true(verdicts.filter((ok) => !ok).length >= 100, 'invalid specs');
  for (const c of ISSUE_CASES) t.true(variants.includes(c), c.title);
});

test('the JSON Schema and validateImage give the same verdict on every spec of the corpus', (t) => {
  const disagree = variants.filter((v) => v.beyond === undefined && schemaAccepts(v.spec) !== validatorAccepts(v.spec));
  t.deepEqual(disagree.map((v) => `${v.title}: schema ${schemaAccepts(v.spec)}, validator ${validatorAccepts(v.spec)}`), []);
});

test('every spec whose verdict an issue or the shared table fixes gets it from both', (t) => {
  for (const v of variants.filter((variant) => variant.valid !== undefined)) {
    t.is(validatorAccepts(v.spec), v.valid as boolean, `validator: ${v.title}`);
    t.is(schemaAccepts(v.spec), v.valid as boolean, `schema: ${v.title}`);
  }
});

test('where only the validator can see a rule, it refuses and the schema says the rule is beyond it', (t) => {
  const beyond = variants.filter((v) => v.beyond !== undefined);
  t.true(beyond.length >= 4);
  for (const v of beyond) {
    t.false(validatorAccepts(v.spec), v.title);
    t.true(schemaAccepts(v.spec), v.title);
    t.truthy(SPEC_RULES.find((rule) => rule.id === v.beyond)?.beyondJsonSchema, `${v.beyond} declares what JSON Schema cannot check`);
  }
});
