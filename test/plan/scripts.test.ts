import test from 'ava';
import { isBoxwrightError } from '../../lib/errors.js';
import { parseScriptHeader, readScripts } from '../../lib/plan/scripts.js';

test('a script header declares the phase and the kinds once, in the leading comments', (t) => {
  t.deepEqual(parseScriptHeader('x.sh', '#!/bin/bash\n# boxwright: phase=cleanup kinds=vm\n# what it does\nset -e\n'), { phase: 'cleanup', kinds: ['vm'] });
  t.deepEqual(parseScriptHeader('x.sh', '#!/bin/bash\n# boxwright: kinds=vm,chroot phase=stack\n'), { phase: 'stack', kinds: ['vm', 'chroot'] });
});

for (const [why, text, message] of [
  ['no header', '#!/bin/bash\nset -e\n', /no boxwright header line/],
  ['a header after the first command', '#!/bin/bash\nset -e\n# boxwright: phase=stack kinds=vm\n', /no boxwright header line/],
  ['two headers', '#!/bin/bash\n# boxwright: phase=stack kinds=vm\n# boxwright: phase=cleanup kinds=vm\n', /more than one/],
  ['an unknown phase', '#!/bin/bash\n# boxwright: phase=late kinds=vm\n', /unknown phase "late"/],
  ['an unknown kind', '#!/bin/bash\n# boxwright: phase=stack kinds=vm,docker\n', /unknown kinds "vm,docker"/],
  ['no kinds', '#!/bin/bash\n# boxwright: phase=stack\n', /unknown kinds ""/],
  ['an unknown field', '#!/bin/bash\n# boxwright: phase=stack kinds=vm when=always\n', /unknown field/],
  ['the old vm-only marker', '#!/bin/bash\n# boxwright: vm-only\n', /cannot read "vm-only"/],
] as const) {
  test(`a script with ${why} is refused, naming the script and the header it needs`, (t) => {
    const error = t.throws(() => parseScriptHeader('42-x.sh', text));
    t.true(isBoxwrightError(error, 'E_RENDER'));
    t.regex(error!.message, message);
    t.regex(error!.message, /provisioners\/42-x\.sh: .*# boxwright: phase=stack kinds=vm,chroot/);
  });
}

test('every shipped provisioner declares its phase: the cleanup scripts are 90 and 95, and only 95-minimize is VM-only', async (t) => {
  const scripts = await readScripts();
  t.true(scripts.length >= 10);
  t.deepEqual(scripts.filter((s) => s.phase === 'cleanup').map((s) => s.name), ['90-cleanup.sh', '95-minimize.sh']);
  t.deepEqual(scripts.filter((s) => !s.kinds.includes('chroot')).map((s) => s.name), ['95-minimize.sh']);
  t.deepEqual(scripts.map((s) => s.name), [...scripts.map((s) => s.name)].sort(), 'run order is file name order');
  for (const script of scripts) t.is(script.path, `scripts/${script.name}`);
});
