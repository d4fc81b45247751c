import test from 'ava';
import { readFile } from 'node:fs/promises';
import { isBoxwrightError } from '../../lib/errors.js';
import { parseReleaseDate, releaseUrl } from '../../lib/lock/release.js';
import { fixture } from './helpers.js';

test('the Date of a mirror Release file is read as ISO 8601 UTC', async (t) => {
  const text = await readFile(fixture('Release'), 'utf8');
  t.is(parseReleaseDate(text), '2026-07-11T10:16:37.000Z');
});

test('a signed InRelease file is read past its PGP armor header', async (t) => {
  const text = await readFile(fixture('InRelease'), 'utf8');
  t.is(parseReleaseDate(text), '2026-11-24T00:34:33.000Z');
});

test('the Valid-Until field is not mistaken for the Date', (t) => {
  t.is(parseReleaseDate('Origin: Debian\nValid-Until: Tue, 01 Dec 2026 00:34:33 UTC\nDate: Mon, 02 Feb 2026 03:04:05 UTC\n'), '2026-02-02T03:04:05.000Z');
});

test('a Release file without a Date is refused with E_BASE', (t) => {
  const error = t.throws(() => parseReleaseDate('Origin: Debian\nSuite: bookworm\n'));
  t.true(isBoxwrightError(error, 'E_BASE'));
  t.regex(error?.message ?? '', /no Date/);
});

test('an unreadable Date is refused with E_BASE and quoted', (t) => {
  const error = t.throws(() => parseReleaseDate('Date: sometime last week\n'));
  t.true(isBoxwrightError(error, 'E_BASE'));
  t.regex(error?.message ?? '', /sometime last week/);
});

test('the Release URL of a suite ignores a trailing slash of the mirror', (t) => {
  t.is(releaseUrl('http://deb.debian.org/debian/', 'bookworm'), 'http://deb.debian.org/debian/dists/bookworm/Release');
});
