import { detectPacker, packerBuild, packerInit, packerValidate, progressFromUi, type PackerEvent } from '../packer/index.js';
import { BUILD_LAYOUT } from '../plan/layout.js';
import type { PackerFeatures } from '../plan/plan.js';
import type { BuildPhase } from './events.js';

/** Callbacks of {@link PackerSession.build}. */
export interface SessionBuildHooks {
  signal?: AbortSignal;
  /** Aborting it kills packer's process group at once (see `PackerBuildOptions.forceSignal`). */
  forceSignal?: AbortSignal;
  /** A human-readable packer line (`ui` say/message/error). */
  onUi(line: string, level: 'info' | 'error'): void;
  /** The build entered a phase packer reveals (boot, provision, shutdown, post-process). */
  onPhase(phase: BuildPhase): void;
  /** A provisioner script started (its file name). */
  onStep(script: string): void;
}

/** The installed packer, bound to the build folder conventions. */
export interface PackerSession {
  path: string;
  features: PackerFeatures;
  init(dir: string, hooks: { onLog(line: string): void }): Promise<void>;
  validate(dir: string): Promise<void>;
  build(dir: string, hooks: SessionBuildHooks): Promise<void>;
}

/** The chroot helper announces each script it runs on a line of its own. */
const CHROOT_STEP = /boxwright-chroot: running (\S+\.sh)\s*$/;
/** Stack scripts are named `NN-name.sh`; other shell steps (staging, package list) are not counted. */
const STACK_SCRIPT = /^\d\d-[\w.-]+\.sh$/;

/** Finds packer, reads its capabilities, and returns the calls a build makes. */
export async function packerSession(packerPath?: string): Promise<PackerSession> {
  const detected = await detectPacker(packerPath ? { packerPath } : {});
  const common = { packerPath: detected.path };
  return {
    path: detected.path,
    features: detected.capabilities,
    async init(dir, hooks) {
      const result = await packerInit(dir, { ...common, templateFile: BUILD_LAYOUT.template });
      for (const line of result.output.split('\n')) if (line.trim()) hooks.onLog(line);
    },
    async validate(dir) {
      await packerValidate(dir, BUILD_LAYOUT.template, common);
    },
    async build(dir, hooks) {
      await packerBuild(dir, BUILD_LAYOUT.template, {
        ...common,
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        ...(hooks.forceSignal ? { forceSignal: hooks.forceSignal } : {}),
        onEvent: (event: PackerEvent) => {
          if (event.type === 'error') hooks.onUi(event.message, 'error');
          if (event.type !== 'ui') return;
          for (const line of event.message.split('\n')) {
            if (line.trim() === '') continue;
            hooks.onUi(line, event.level === 'error' ? 'error' : 'info');
            const chroot = CHROOT_STEP.exec(line);
            if (chroot?.[1]) {
              hooks.onPhase('provision');
              hooks.onStep(chroot[1]);
              continue;
            }
            const progress = progressFromUi(line);
            if (progress?.phase) hooks.onPhase(progress.phase);
            if (progress?.script && STACK_SCRIPT.test(progress.script)) hooks.onStep(progress.script);
          }
        },
      });
    },
  };
}
