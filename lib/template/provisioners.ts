import { STAGING_DIR } from '../render/context.js';
import { BUILD_LAYOUT, type BuildPlan, isCleanupScript } from './plan.js';

type Block = Record<string, Record<string, unknown>>;

/** The command that runs each uploaded script as root, keeping packer's env vars. */
const SUDO_EXECUTE = "chmod +x {{ .Path }}; sudo -n env {{ .Vars }} bash {{ .Path }}";

/** dpkg-query of the package list (name, version, architecture); `$${` is HCL's escape for a literal `${`. */
export const PACKAGE_QUERY = "dpkg-query -W -f='$${Package}\\t$${Version}\\t$${Architecture}\\n'";

/**
 * Provisioners of the VM kind: stage files + app bundle, run the stack scripts in order, pull the
 * package list out of the image, then the cleanup/minimize scripts.
 */
export function vmProvisioners(plan: BuildPlan): Block[] {
  const main = plan.scripts.filter((script) => !isCleanupScript(script));
  const cleanup = plan.scripts.filter(isCleanupScript);
  const blocks: Block[] = [
    { shell: { inline: [`rm -rf ${STAGING_DIR} && mkdir -p ${STAGING_DIR}/files`] } },
    { file: { source: `${BUILD_LAYOUT.files}/`, destination: `${STAGING_DIR}/files` } },
    { file: { source: BUILD_LAYOUT.appBundle, destination: `${STAGING_DIR}/${BUILD_LAYOUT.appBundle}` } },
  ];
  if (main.length > 0) blocks.push({ shell: { execute_command: SUDO_EXECUTE, expect_disconnect: false, scripts: main } });
  blocks.push(
    { shell: { inline: [`${PACKAGE_QUERY} | LC_ALL=C sort > /tmp/boxwright-packages.tsv`] } },
    { file: { direction: 'download', source: '/tmp/boxwright-packages.tsv', destination: BUILD_LAYOUT.packageList } },
  );
  if (cleanup.length > 0) blocks.push({ shell: { execute_command: SUDO_EXECUTE, scripts: cleanup } });
  return blocks;
}

/**
 * Provisioners of the chroot kind: the same scripts, run natively in a chroot of the base root
 * filesystem by `helpers/chroot.sh`, then the root becomes a bootable qcow2 and a .box.
 */
export function chrootProvisioners(plan: BuildPlan, boxPath: string): Block[] {
  const helper = `bash ${BUILD_LAYOUT.helpers}/chroot.sh`;
  const steps = plan.scripts.filter((script) => !/(^|\/)95-/.test(script));
  const main = steps.filter((script) => !isCleanupScript(script));
  const cleanup = steps.filter(isCleanupScript);
  const local = (inline: string[]): Block => ({ 'shell-local': { inline } });
  return [
    local([`${helper} prepare ${plan.base.rootfsTar ?? ''}`]),
    ...main.map((script) => local([`${helper} run ${script}`])),
    local([`${helper} packages ${BUILD_LAYOUT.packageList}`]),
    ...cleanup.map((script) => local([`${helper} run ${script}`])),
    local([`${helper} disk ${plan.spec.vm.diskSize}`]),
    local([`${helper} box ${boxPath}`]),
  ];
}
