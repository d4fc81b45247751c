import test from 'ava';
import { isBoxwrightError } from '../../lib/errors.js';
import { nextVersion } from '../../lib/publish/version.js';

test('an explicit version above the latest is accepted', (t) => {
  t.is(nextVersion(['1.0.0', '1.1.0'], { version: '1.2.0' }), '1.2.0');
});

test('an explicit version with a leading v is normalised', (t) => {
  t.is(nextVersion([], { version: 'v2.0.0' }), '2.0.0');
});

test('an explicit version equal to a published one is returned for the target to judge', (t) => {
  t.is(nextVersion(['1.0.0', '1.1.0'], { version: '1.0.0' }), '1.0.0');
});

test('an explicit version not above the latest is refused naming the fix', (t) => {
  const error = t.throws(() => nextVersion(['1.0.0', '1.3.0'], { version: '1.2.0' }));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'));
  t.is((error as { path?: string }).path, 'version');
  t.regex(error!.message, /not greater than the latest published version 1\.3\.0.*--bump.*--force/);
});

test('force allows a version below the latest', (t) => {
  t.is(nextVersion(['1.3.0'], { version: '1.2.0' }, true), '1.2.0');
});

test('an invalid version is refused with path version', (t) => {
  for (const bad of ['1.2', 'latest', '1.2.3.4', '']) {
    const error = t.throws(() => nextVersion([], { version: bad }));
    t.true(isBoxwrightError(error, 'E_SPEC_INVALID'), bad);
    t.is((error as { path?: string }).path, 'version');
  }
});

test('build metadata is refused because it does not order versions', (t) => {
  const error = t.throws(() => nextVersion([], { version: '1.0.0+abc' }));
  t.regex(error!.message, /build metadata/);
});

test('bump patch, minor and major start from the latest published version', (t) => {
  const existing = ['0.9.0', '1.2.3', '1.10.0', 'not-semver'];
  t.is(nextVersion(existing, { bump: 'patch' }), '1.10.1');
  t.is(nextVersion(existing, { bump: 'minor' }), '1.11.0');
  t.is(nextVersion(existing, { bump: 'major' }), '2.0.0');
});

test('bump with nothing published starts from 0.0.0', (t) => {
  t.is(nextVersion([], { bump: 'patch' }), '0.0.1');
  t.is(nextVersion([], { bump: 'minor' }), '0.1.0');
  t.is(nextVersion([], { bump: 'major' }), '1.0.0');
});

test('bump from a prerelease releases it', (t) => {
  t.is(nextVersion(['1.0.0-rc.1'], { bump: 'patch' }), '1.0.0');
});

test('an unknown bump level is refused with path bump', (t) => {
  const error = t.throws(() => nextVersion([], { bump: 'huge' as 'patch' }));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'));
  t.is((error as { path?: string }).path, 'bump');
  t.regex(error!.message, /patch, minor or major/);
});

test('version and bump together are refused', (t) => {
  const error = t.throws(() => nextVersion([], { version: '1.0.0', bump: 'patch' }));
  t.true(isBoxwrightError(error, 'E_SPEC_INVALID'));
});

test('neither version nor bump is refused naming both flags', (t) => {
  const error = t.throws(() => nextVersion([], {}));
  t.regex(error!.message, /--version.*--bump/);
});
