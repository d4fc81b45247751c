import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { canBootVms } from '../../lib/verify/boot.js';
import { buildStack, e2eEnabled, repoRoot } from './support.js';

const e2e = e2eEnabled && canBootVms() ? test.serial : test.serial.skip;

e2e('[e2e] boxwright check boots the built box and passes it through HTTP and the in-image suite', async (t) => {
  const build = await buildStack('chroot', (line) => t.log(line));
  const result = await execa('node', [path.join(repoRoot, 'bin/boxwright.js'), 'check', path.dirname(build.box), '--json'], { reject: false, cwd: repoRoot });
  t.log(result.stderr);
  t.is(result.exitCode, 0);
  const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { command?: string; type?: string; failed?: string[]; passed?: string[]; firstHttpMs?: number };
  t.like(report, { command: 'check', type: 'result' });
  t.deepEqual(report.failed, []);
  t.true((report.passed?.length ?? 0) > 30);
  t.true((report.firstHttpMs ?? 0) > 0);
});
