import { readFileSync } from 'node:fs';
import test from 'ava';
import { isBoxwrightError } from '../../lib/errors.js';
import { assertSupportedVersion, packerVersion, parsePackerVersion } from '../../lib/packer/version.js';
import { capabilitiesFor, PACKER_PLUGIN_PINS } from '../../lib/packer/capabilities.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/packer/${name}`, import.meta.url), 'utf8');

test('version parser reads packer 1.6.6 output', (t) => {
  t.is(parsePackerVersion(fixture('version-1.6.6.txt')), '1.6.6');
});

test('version parser reads machine-readable version output', (t) => {
  t.is(parsePackerVersion(fixture('version-1.6.6.machine-readable.log').replace(/.*ui,say.*\n?/, '')), '1.6.6');
});

test('version parser reads 1.7.0 and 1.10.0', (t) => {
  t.is(parsePackerVersion('Packer v1.7.0\n'), '1.7.0');
  t.is(parsePackerVersion('Packer v1.10.0\n'), '1.10.0');
});

test('version parser ignores the out-of-date notice of newer packers', (t) => {
  const output = 'Packer v1.11.2\n\nYour version of Packer is out of date! The latest version\nis 1.12.0. You can update by downloading from www.packer.io/downloads\n';
  t.is(parsePackerVersion(output), '1.11.2');
});

test('version parser keeps a prerelease tag', (t) => {
  t.is(parsePackerVersion('Packer v1.12.0-dev'), '1.12.0-dev');
});

test('version parser rejects garbage with E_PACKER_VERSION', (t) => {
  const error = t.throws(() => parsePackerVersion('bash: packer: command not found'));
  t.true(isBoxwrightError(error, 'E_PACKER_VERSION'));
  t.regex(error!.message, /command not found/);
  t.throws(() => parsePackerVersion(''), { message: /could not read a version/ });
});

test('packer older than 1.6.6 is refused with the fix', (t) => {
  const error = t.throws(() => assertSupportedVersion('1.6.5'));
  t.true(isBoxwrightError(error, 'E_PACKER_VERSION'));
  t.regex(error!.message, /1\.6\.6 or newer.*apt-get install packer/);
  t.notThrows(() => assertSupportedVersion('1.6.6'));
});

test('capabilities of 1.6.6: bundled plugins, no required_plugins, no init', (t) => {
  t.deepEqual(capabilitiesFor('1.6.6'), {
    version: '1.6.6', hcl2Json: true, requiredPlugins: false, init: false,
    bundledQemu: true, bundledVirtualbox: true, bundledVagrantPP: true, plugins: {},
  });
});

test('capabilities of 1.7.0: required_plugins and init with pinned plugins, still bundled', (t) => {
  const caps = capabilitiesFor('1.7.0');
  t.true(caps.requiredPlugins);
  t.true(caps.init);
  t.true(caps.bundledQemu);
  t.deepEqual(caps.plugins, PACKER_PLUGIN_PINS);
});

test('capabilities of 1.10.0: nothing bundled', (t) => {
  const caps = capabilitiesFor('1.10.0');
  t.false(caps.bundledQemu);
  t.false(caps.bundledVirtualbox);
  t.false(caps.bundledVagrantPP);
  t.true(caps.requiredPlugins);
});

test('a prerelease counts as its release for capabilities', (t) => {
  t.true(capabilitiesFor('1.7.0-dev').requiredPlugins);
  t.false(capabilitiesFor('1.10.0-dev').bundledQemu);
});

test('capabilities refuse packer older than 1.6.6', (t) => {
  t.throws(() => capabilitiesFor('1.5.0'), { instanceOf: Error, message: /too old/ });
});

test('plugin pins are exact versions', (t) => {
  for (const version of Object.values(PACKER_PLUGIN_PINS)) t.regex(version, /^\d+\.\d+\.\d+$/);
});

test('packerVersion reads the installed packer', async (t) => {
  t.regex(await packerVersion(), /^\d+\.\d+\.\d+/);
});
