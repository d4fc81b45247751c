import test from 'ava';
import { guestInterface, kernelPanicLine, type CommandResult } from '../../lib/verify/boot.js';

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

const LINKS = '1: lo: <LOOPBACK,UP> mtu 65536 link/loopback 00:00:00:00:00:00\n3: ens5: <BROADCAST,MULTICAST> mtu 1500 link/ether 52:54:56:70:78:70 brd ff:ff:ff:ff:ff:ff\n';

test('probe: the first SSH command after a loaded boot came back empty; the guest interface is asked for again', async (t) => {
  const answers: CommandResult[] = [{ stdout: '', stderr: 'Connection reset by peer', exitCode: 255 }, { stdout: LINKS, stderr: '', exitCode: 0 }];
  let calls = 0;
  const iface = await guestInterface(async () => answers[calls++]!, '52:54:56:70:78:70', 5, 0);
  t.is(iface, 'ens5');
  t.is(calls, 2);
});

test('a guest without the MAC fails after its tries, with the last answer', async (t) => {
  let calls = 0;
  const error = await t.throwsAsync(guestInterface(async () => { calls++; return { stdout: LINKS, stderr: '', exitCode: 0 }; }, '52:54:00:00:00:01', 3, 0));
  t.is(calls, 3);
  t.regex(error!.message, /no guest interface with MAC 52:54:00:00:00:01 after 3 tries \(ip -o link show: exit 0\):\n1: lo/);
});
