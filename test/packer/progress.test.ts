import { readFileSync } from 'node:fs';
import test from 'ava';
import { progressFromUi } from '../../lib/packer/progress.js';
import { parseMachineReadable } from '../../lib/packer/machine-readable.js';

test('waiting for SSH means the VM is booting', (t) => {
  t.deepEqual(progressFromUi('==> qemu.web: Waiting for SSH to become available...'), { phase: 'boot' });
  t.deepEqual(progressFromUi('==> qemu.web: Starting VM, booting disk image'), { phase: 'boot' });
});

test('connected to SSH starts the provision phase', (t) => {
  t.deepEqual(progressFromUi('==> qemu.web: Connected to SSH!'), { phase: 'provision' });
});

test('a shell provisioner step yields the script name and path', (t) => {
  t.deepEqual(progressFromUi('==> qemu.web: Provisioning with shell script: scripts/20-nginx.sh'), {
    phase: 'provision', script: '20-nginx.sh', scriptPath: 'scripts/20-nginx.sh',
  });
});

test('a shell-local step yields the script name', (t) => {
  t.deepEqual(progressFromUi('==> null.n: Running local shell script: /tmp/packer-shell532541142'), {
    phase: 'provision', script: 'packer-shell532541142', scriptPath: '/tmp/packer-shell532541142',
  });
});

test('halting the VM is the shutdown phase', (t) => {
  t.deepEqual(progressFromUi('==> qemu.web: Gracefully halting virtual machine...'), { phase: 'shutdown' });
});

test('running a post-processor is the post-process phase, in old and new wording', (t) => {
  t.deepEqual(progressFromUi('==> qemu.web: Running post-processor: vagrant'), { phase: 'post-process', postProcessor: 'vagrant' });
  t.deepEqual(progressFromUi('==> qemu.web: Running post-processor:  (type vagrant)'), { phase: 'post-process', postProcessor: 'vagrant' });
  t.deepEqual(progressFromUi('==> qemu.web: Running post-processor: box (type vagrant)'), { phase: 'post-process', postProcessor: 'vagrant' });
});

test('script output and unrelated lines yield no progress', (t) => {
  t.is(progressFromUi('    qemu.web: Provisioning with shell script: fake'), undefined);
  t.is(progressFromUi('\n==> Wait completed after 27 milliseconds 27 microseconds'), undefined);
  t.is(progressFromUi('==> qemu.web: Copying hard drive...'), undefined);
});

test('a recorded packer 1.6.6 log maps to provision and post-process steps', (t) => {
  const text = readFileSync(new URL('../fixtures/packer/null-ok.machine-readable.log', import.meta.url), 'utf8');
  const phases = parseMachineReadable(text)
    .flatMap((e) => (e.type === 'ui' ? [progressFromUi(e.message)?.phase] : []))
    .filter(Boolean);
  t.deepEqual(phases, ['provision', 'post-process']);
});
