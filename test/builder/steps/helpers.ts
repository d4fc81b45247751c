import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PackerSession } from '../../../lib/builder/packer-session.js';
import { DEFAULT_DEPS, PhaseClock, type BuildDeps, type BuildState } from '../../../lib/builder/state.js';
import type { BuildOptions } from '../../../lib/builder/types.js';
import type { BuildEvent } from '../../../lib/builder/events.js';
import type { ImageSpec } from '../../../lib/image/types.js';
import { PACKER_1_6_6, planBuild, type PlanOptions } from '../../../lib/plan/plan.js';
import { HOST, sampleSpec } from '../../render/helpers.js';

/** A packer session that records its calls (unit tests of one step). */
export function recordingPacker(features = PACKER_1_6_6): PackerSession & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls, path: '/nonexistent/packer', features,
    init: async (dir) => { calls.push(`init ${dir}`); },
    validate: async (dir) => { calls.push(`validate ${dir}`); },
    build: async (dir) => { calls.push(`build ${dir}`); },
  };
}

/** A fresh temp folder removed when the test ends. */
export async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bw-step-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A build state for one step, with its events collected; `plan` is planned on the test host facts. */
export async function stateFor(outDir: string, over: { spec?: ImageSpec; options?: Partial<BuildOptions>; deps?: Partial<BuildDeps>; plan?: PlanOptions | false } = {}): Promise<BuildState & { events: BuildEvent[] }> {
  const spec = over.spec ?? await sampleSpec();
  const events: BuildEvent[] = [];
  const emit = (event: BuildEvent): void => { events.push(event); };
  const state: BuildState & { events: BuildEvent[] } = {
    spec, options: { outDir, ...over.options }, outDir, deps: { ...DEFAULT_DEPS, ...over.deps }, clock: new PhaseClock(emit), emit, events,
    log: (source, line, level = 'info') => emit({ type: 'log', source, level, line }),
  };
  if (over.plan !== false) state.plan = await planBuild(spec, { host: HOST, base: 'debian-12', kind: 'vm', ...over.plan });
  return state;
}
