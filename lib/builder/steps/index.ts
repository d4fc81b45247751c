import type { BuildStep } from '../state.js';
import { base } from './base.js';
import { cacheHit } from './cache-hit.js';
import { cacheKey } from './cache-key.js';
import { chrootTeardown } from './chroot-teardown.js';
import { lockGate } from './lock-gate.js';
import { manifest } from './manifest.js';
import { packerBuild } from './packer-build.js';
import { packerDetect } from './packer-detect.js';
import { packerInit } from './packer-init.js';
import { packerValidate } from './packer-validate.js';
import { plan } from './plan.js';
import { publishToOut } from './publish-to-out.js';
import { render } from './render.js';
import { verifyBox } from './verify-box.js';
import { workspace } from './workspace.js';

/** The steps of a build, in order. */
export const BUILD_STEPS: readonly BuildStep[] = [
  packerDetect, plan, workspace, render, cacheKey, cacheHit, lockGate, base,
  packerInit, packerValidate, chrootTeardown, packerBuild, verifyBox, manifest, publishToOut,
];
