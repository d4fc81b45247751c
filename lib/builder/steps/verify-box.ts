import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { BoxwrightError } from '../../errors.js';
import { BUILD_LAYOUT } from '../../plan/layout.js';
import { sha256File } from '../../util/hash.js';
import { sizeOf } from '../box-files.js';
import { need, type BuildStep } from '../state.js';

/**
 * A box must carry a metadata.json naming the provider it was built for; refuse anything else
 * before it reaches outDir. Reading stops at that member (the chroot kind packs it first).
 */
export async function verifyBoxLayout(box: string, provider: string): Promise<void> {
  const read = await execa('tar', ['-xOzf', box, '--occurrence=1', '--wildcards', '--no-anchored', 'metadata.json'], { reject: false });
  let metadata: { provider?: unknown } | undefined;
  try {
    metadata = JSON.parse(read.stdout) as { provider?: unknown };
  } catch {
    metadata = undefined;
  }
  if (read.exitCode !== 0 || metadata?.provider !== provider) {
    throw new BoxwrightError('E_PACKER_BUILD', `the box ${path.basename(box)} has no metadata.json for provider ${provider}; it would not import into vagrant (${read.stderr.trim() || read.stdout.slice(0, 200)})`);
  }
}

/** The box packer left must exist and be a box for the plan's provider; then its sha256 and size. */
export const verifyBox: BuildStep = {
  name: 'verify-box',
  async run(state) {
    state.clock.phase('verify');
    const plan = need(state.plan, 'plan');
    const built = path.join(need(state.buildDir, 'buildDir'), BUILD_LAYOUT.artifacts, plan.boxName);
    if (!existsSync(built)) throw new BoxwrightError('E_PACKER_BUILD', `packer finished but left no box at ${built}; run with BOXWRIGHT_DEBUG=1 and keep the build folder to see why`);
    await verifyBoxLayout(built, plan.provider);
    state.box = { path: built, sha256: await sha256File(built), size: await sizeOf(built) };
  },
};
