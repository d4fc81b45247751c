import test from 'ava';
import { kernelPanicLine } from '../../lib/verify/boot.js';

// The tail of the serial log of the CI run whose VM-built Debian 13 box panicked under TCG.
const PANICKED = [
  '[    9.026457] RIP: 0010:devcgroup_check_permission+0x15/0xc0\r',
  '[    9.026635] Kernel panic - not syncing: Fatal exception in interrupt\r',
  '[    9.043742] ---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---\r',
].join('\n');

test('a serial log whose kernel panicked gives the panic line', (t) => {
  t.is(kernelPanicLine(PANICKED), '[    9.026635] Kernel panic - not syncing: Fatal exception in interrupt');
});

test('a serial log of a boot that goes on gives no panic line, warnings and oopses included', (t) => {
  t.is(kernelPanicLine('[    1.0] Booting Linux\n[    2.0] WARNING: CPU: 0 PID: 1 at x\n[    3.0] Oops: 0000 [#1]\nDebian GNU/Linux 13 www ttyS0\n'), undefined);
  t.is(kernelPanicLine(''), undefined);
});
