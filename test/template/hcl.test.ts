import test from 'ava';
import { hclLiteral, hclLiterals } from '../../lib/template/hcl.js';
import { composeTemplate, templateText } from '../../lib/template/compose.js';
import { planBuild } from '../../lib/plan/plan.js';
import { HOST, sampleSpec } from '../render/helpers.js';

const SHA = 'a'.repeat(64);

test('an HCL literal doubles the $ of ${ and the % of %{ and leaves everything else', (t) => {
  t.is(hclLiteral('https://e.test/${nope}/%{ if true }x%{ endif }'), 'https://e.test/$${nope}/%%{ if true }x%%{ endif }');
  t.is(hclLiteral('$HOME {{ .Path }} 100% {x} $x'), '$HOME {{ .Path }} 100% {x} $x');
  t.is(hclLiteral('$${already}'), '$$${already}');
});

test('hclLiterals escapes every string value, nested in arrays and objects, and no key', (t) => {
  t.deepEqual(hclLiterals({ '${key}': ['${a}', { b: '%{c}' }], n: 3, f: false }), { '${key}': ['$${a}', { b: '%%{c}' }], n: 3, f: false });
});

test('a ${ or %{ in base.image reaches the template escaped for HCL, as $${ and %%{', async (t) => {
  const image = 'https://e.test/${nope}/%{ if x }/disk.qcow2';
  const spec = await sampleSpec({ base: { image, sha256: SHA, os: 'debian-12' } });
  const template = composeTemplate(await planBuild(spec, { host: HOST, provider: 'libvirt', kind: 'vm' })) as Record<string, any>;
  t.is(template.source.qemu['foobar-web'].iso_url, 'https://e.test/$${nope}/%%{ if x }/disk.qcow2');
  t.notRegex(templateText(template), /(?<![$])\$\{|(?<![%])%\{/);
});
