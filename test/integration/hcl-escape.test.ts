import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { validateRendered } from '../../lib/builder/validate-rendered.js';
import { locatePacker } from '../../lib/packer/locate.js';
import { packerBuild } from '../../lib/packer/run.js';
import { hclLiterals } from '../../lib/template/hcl.js';
import { HOST, sampleSpec, testCacheDir } from '../render/helpers.js';

const packerPath = await locatePacker().catch(() => undefined);
const withPacker = packerPath ? test : test.skip;

/** A spec value a careless or hostile user could write: an HCL interpolation and a directive. */
const VALUE = 'https://e.test/${nope}/%{ if true }x%{ endif }/${upper("a")}/disk.qcow2';

withPacker('packer validate accepts a template whose base.image holds ${, escaped, and reads it as text', async (t) => {
  // A URL (packer parses it): `%{` would be an invalid URL escape, so only `${` here; the build below covers `%{`.
  const spec = await sampleSpec({ base: { image: 'https://e.test/${nope}/${upper("a")}/disk.qcow2', sha256: 'a'.repeat(64), os: 'debian-12' } });
  const result = await validateRendered(spec, { provider: 'libvirt', kind: 'vm', host: HOST, cacheDir: testCacheDir, ...(packerPath ? { packerPath } : {}) });
  t.is(result.provider, 'libvirt');
});

withPacker('packer does not evaluate an escaped ${ or %{: a build prints the value exactly as written', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bw-hcl-escape-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const template = hclLiterals({
    source: { null: { n: { communicator: 'none' } } },
    build: { sources: ['source.null.n'], provisioner: [{ 'shell-local': { inline: [`printf '%s' '${VALUE}' > value.txt`] } }] },
  });
  await writeFile(path.join(dir, 'build.pkr.json'), JSON.stringify(template));
  await packerBuild(dir, 'build.pkr.json', packerPath ? { packerPath } : {});
  t.is(await readFile(path.join(dir, 'value.txt'), 'utf8'), VALUE);
});

withPacker('without the escape packer would evaluate the value (the probe of issue 14 row 13)', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bw-hcl-raw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'build.pkr.json'), JSON.stringify({
    source: { null: { n: { communicator: 'none' } } },
    build: { sources: ['source.null.n'], provisioner: [{ 'shell-local': { inline: [`echo '${VALUE}'`] } }] },
  }));
  const error = await t.throwsAsync(packerBuild(dir, 'build.pkr.json', packerPath ? { packerPath } : {}));
  t.regex(error?.message ?? '', /nope/);
});
