import { BUILD_LAYOUT, GUEST_PATHS } from '../plan/layout.js';
import type { BuildPlan } from '../plan/plan.js';
import { BOX_GZIP_LEVEL } from './post-processors.js';

type Block = Record<string, Record<string, unknown>>;

/** The command that runs each uploaded script as root, keeping packer's env vars. */
const SUDO_EXECUTE = "chmod +x {{ .Path }}; sudo -n env {{ .Vars }} bash {{ .Path }}";

/** The plan's script paths of one phase, in run order. */
function phase(plan: BuildPlan, which: 'stack' | 'cleanup'): string[] {
  return plan.scripts.filter((script) => script.phase === which).map((script) => script.path);
}

/**
 * Provisioners of the VM kind: stage files + app bundle, run the stack scripts in order, then the
 * cleanup scripts (which write the package list), then pull the package list out of the image.
 */
export function vmProvisioners(plan: BuildPlan): Block[] {
  const stack = phase(plan, 'stack');
  const cleanup = phase(plan, 'cleanup');
  const staging = GUEST_PATHS.staging;
  const blocks: Block[] = [
    { shell: { inline: [`rm -rf ${staging} && mkdir -p ${staging}/files`] } },
    { file: { source: `${BUILD_LAYOUT.files}/`, destination: `${staging}/files` } },
    { file: { source: BUILD_LAYOUT.appBundle, destination: `${staging}/${BUILD_LAYOUT.appBundle}` } },
  ];
  if (stack.length > 0) blocks.push({ shell: { execute_command: SUDO_EXECUTE, expect_disconnect: false, scripts: stack } });
  if (cleanup.length > 0) blocks.push({ shell: { execute_command: SUDO_EXECUTE, scripts: cleanup } });
  blocks.push({ file: { direction: 'download', source: GUEST_PATHS.packageList, destination: BUILD_LAYOUT.packageList } });
  return blocks;
}

/**
 * Provisioners of the chroot kind: the same scripts, run natively in a chroot of the base root
 * filesystem by `helpers/chroot.sh`, then the package list is copied out and the root becomes a
 * bootable qcow2 and a .box.
 */
export function chrootProvisioners(plan: BuildPlan, boxPath: string): Block[] {
  const helper = `bash ${BUILD_LAYOUT.helpers}/chroot.sh`;
  const local = (inline: string[]): Block => ({ 'shell-local': { inline } });
  return [
    local([`${helper} prepare ${plan.base.rootfsTar ?? ''}`]),
    ...phase(plan, 'stack').map((script) => local([`${helper} run ${script}`])),
    ...phase(plan, 'cleanup').map((script) => local([`${helper} run ${script}`])),
    local([`${helper} packages ${GUEST_PATHS.packageList} ${BUILD_LAYOUT.packageList}`]),
    local([`${helper} disk ${plan.spec.vm.diskSize}`]),
    local([`${helper} box ${boxPath} ${BOX_GZIP_LEVEL}`]),
  ];
}
