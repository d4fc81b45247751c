import { readFileSync } from 'node:fs';
import test from 'ava';
import { parseMachineReadable, parseMachineReadableLine, unescapeField, type PackerEvent, type UiEvent } from '../../lib/packer/machine-readable.js';
import { ArtifactCollector, vagrantBoxes, VAGRANT_POST_PROCESSOR_ID } from '../../lib/packer/reported-artifacts.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/packer/${name}`, import.meta.url), 'utf8');
const ui = (events: PackerEvent[]): UiEvent[] => events.filter((e): e is UiEvent => e.type === 'ui');
const collect = (events: PackerEvent[]) => {
  const collector = new ArtifactCollector();
  for (const e of events) collector.push(e);
  return collector.artifacts;
};

test('parser unescapes packer commas in ui messages', (t) => {
  const events = parseMachineReadable(fixture('null-ok.machine-readable.log'));
  const messages = ui(events).map((e) => e.message);
  t.true(messages.includes('    null.n: hello, world, with commas'));
});

test('parser turns literal \\n into newlines', (t) => {
  const events = parseMachineReadable(fixture('null-ok.machine-readable.log'));
  const wait = ui(events).find((e) => e.message.includes('Wait completed'));
  t.truthy(wait);
  t.true(wait!.message.startsWith('\n==> Wait completed'));
  t.is(unescapeField('a\\r\\nb%!(PACKER_COMMA)c'), 'a\r\nb,c');
});

test('parser keeps each shell output line of a multi-line printf as its own ui message', (t) => {
  const messages = ui(parseMachineReadable(fixture('null-ok.machine-readable.log'))).map((e) => e.message);
  t.deepEqual(messages.filter((m) => /line (one|two)/.test(m)), ['    null.n: line one', '    null.n: line two']);
});

test('parser reads ui levels, timestamps and targets', (t) => {
  const event = parseMachineReadableLine('1795643503,,ui,say,==> null.n: Running local shell script: /tmp/packer-shell532541142');
  t.deepEqual(event, { type: 'ui', timestamp: 1795643503, target: '', level: 'say', message: '==> null.n: Running local shell script: /tmp/packer-shell532541142' });
});

test('parser reads artifact-count and every artifact field', (t) => {
  const events = parseMachineReadable(fixture('file-artifact.machine-readable.log'));
  t.deepEqual(events.find((e) => e.type === 'artifact-count'), { type: 'artifact-count', timestamp: 1795643518, target: 'file.f', count: 2 });
  const file = events.find((e) => e.type === 'artifact' && e.field === 'file');
  t.deepEqual(file, { type: 'artifact', timestamp: 1795643518, target: 'file.f', index: 0, field: 'file', fileIndex: 0, value: 'out/hello.txt' });
});

test('artifact collector assembles builder id, id, string and files', (t) => {
  const artifacts = collect(parseMachineReadable(fixture('file-artifact.machine-readable.log')));
  t.is(artifacts.length, 2);
  t.deepEqual(artifacts[0], {
    target: 'file.f', index: 0, builderId: 'packer.file', id: 'File', string: 'Stored file: out/hello.txt', files: ['out/hello.txt'], complete: true,
  });
});

test('artifact collector reports the null builder artifact without files', (t) => {
  const artifacts = collect(parseMachineReadable(fixture('null-ok.machine-readable.log')));
  t.is(artifacts.length, 2);
  t.is(artifacts[0]?.builderId, 'fnoeding.null');
  t.deepEqual(artifacts[0]?.files, []);
  t.deepEqual(vagrantBoxes(artifacts), []);
});

test('vagrant boxes are read from the vagrant post-processor artifact', (t) => {
  // Shape of the vagrant post-processor artifact (builder id, id = provider, one file).
  const log = [
    '1,qemu.web,artifact-count,1',
    `1,qemu.web,artifact,0,builder-id,${VAGRANT_POST_PROCESSOR_ID}`,
    '1,qemu.web,artifact,0,id,libvirt',
    "1,qemu.web,artifact,0,string,'libvirt' provider box: out/web-1.0.0.libvirt.box",
    '1,qemu.web,artifact,0,files-count,1',
    '1,qemu.web,artifact,0,file,0,out/web-1.0.0.libvirt.box',
    '1,qemu.web,artifact,0,end',
  ].join('\n');
  t.deepEqual(vagrantBoxes(collect(parseMachineReadable(log))), [{ provider: 'libvirt', path: 'out/web-1.0.0.libvirt.box' }]);
});

test('parser reads error-count and per-build errors of a failed build', (t) => {
  const events = parseMachineReadable(fixture('null-fail.machine-readable.log'));
  t.deepEqual(events.find((e) => e.type === 'error-count'), { type: 'error-count', timestamp: 1795643512, target: '', count: 1 });
  const error = events.find((e) => e.type === 'error');
  t.deepEqual(error, { type: 'error', timestamp: 1795643512, target: 'null.n', message: 'Script exited with non-zero exit status: 1.Allowed exit codes are: [0]' });
  t.true(ui(events).some((e) => e.level === 'error' && e.message.startsWith("Build 'null.n' errored")));
});

test('parser reads the version lines of packer -machine-readable version', (t) => {
  const events = parseMachineReadable(fixture('version-1.6.6.machine-readable.log'));
  t.deepEqual(events.filter((e) => e.type === 'version').map((e) => e.type === 'version' && [e.field, e.value]), [
    ['version', '1.6.6'], ['prerelease', ''], ['commit', ''],
  ]);
});

test('parser unescapes a multi-line validate error into one ui message', (t) => {
  const [event] = parseMachineReadable(fixture('validate-bad.machine-readable.log'));
  t.is(event?.type, 'ui');
  const message = (event as UiEvent).message;
  t.true(message.startsWith('Error: Extraneous JSON object property\n\n  on validate-bad.pkr.json line 2:'));
  t.true(message.includes('No argument or block type is named "bogus_option".'));
});

test('parser records the interrupt messages of a cancelled build', (t) => {
  const messages = ui(parseMachineReadable(fixture('null-cancel.machine-readable.log'))).map((e) => e.message);
  t.true(messages.includes('Cancelling build after receiving interrupt'));
  t.true(messages.includes('Cleanly cancelled builds after being interrupted.'));
});

test('parser yields raw events for lines that are not machine-readable and skips empty ones', (t) => {
  t.deepEqual(parseMachineReadableLine('panic: runtime error'), { type: 'raw', line: 'panic: runtime error' });
  t.is(parseMachineReadableLine(''), undefined);
  t.deepEqual(parseMachineReadableLine('5,x,something-new,a,b'), { type: 'other', timestamp: 5, target: 'x', kind: 'something-new', data: ['a', 'b'] });
});
