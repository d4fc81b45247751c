import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { manifest } from '../../../lib/builder/steps/manifest.js';
import { stateFor, tempDir } from './helpers.js';

test('the manifest records the cache key and the render hash apart, the plan, the box and the package list', async (t) => {
  const dir = await tempDir(t);
  const state = await stateFor(dir, { plan: { base: 'ubuntu-24.04' } });
  state.buildDir = path.join(dir, 'build');
  await mkdir(path.join(state.buildDir, 'artifacts'), { recursive: true });
  await writeFile(path.join(state.buildDir, 'artifacts/packages.tsv'), 'nginx\t1.22\tamd64\n');
  state.render = { inputsHash: 'r'.repeat(64) } as never;
  state.cacheKey = 'k'.repeat(64);
  state.box = { path: '/x.box', sha256: 's'.repeat(64), size: 42 };
  await manifest.run(state);
  const m = state.manifest!;
  t.is(m.inputsHash, 'k'.repeat(64));
  t.is(m.renderHash, 'r'.repeat(64));
  t.deepEqual([m.provider, m.kind, m.base.os, m.base.source], ['libvirt', 'vm', 'ubuntu-24.04', 'cloud-image']);
  t.deepEqual(m.box, { file: state.plan!.boxName, sha256: 's'.repeat(64), size: 42 });
  t.deepEqual(m.packages, [{ name: 'nginx', version: '1.22', architecture: 'amd64' }]);
  t.false('dir' in m.spec);
  t.is(m.lock, null);
  t.deepEqual(state.events.map((e) => e.type === 'phase' && e.phase), ['done']);
});
