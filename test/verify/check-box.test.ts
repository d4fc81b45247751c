import test from 'ava';
import { failedChecks } from '../../lib/verify/check-box.js';

test('a failed check is reported with the expected and actual values that follow it', (t) => {
  const tap = [
    'ok - nginx.service is active',
    'not ok - no core dumps for services (LimitCORE of nginx.service)',
    '#   expected: 0',
    '#   actual:   infinity',
    'ok - sshd: compression no',
    'not ok - tmp.mount is active',
    '# hardening',
    '#   not a detail of any check',
    '1..4',
  ].join('\n');
  t.deepEqual(failedChecks(tap), [
    'not ok - no core dumps for services (LimitCORE of nginx.service)\n    expected: 0\n    actual:   infinity',
    'not ok - tmp.mount is active',
  ]);
});

test('a run without failures has no failed checks', (t) => {
  t.deepEqual(failedChecks('ok - a\nok - b\n1..2\n# all 2 checks passed\n'), []);
});
