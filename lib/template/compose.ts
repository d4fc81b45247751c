import { PACKER_PLUGIN_SOURCES, type PackerPluginName } from '../packer/capabilities.js';
import { chrootPostProcessors, boxOutputPath, vmPostProcessors } from './post-processors.js';
import { chrootProvisioners, vmProvisioners } from './provisioners.js';
import type { BuildPlan } from '../plan/plan.js';
import { hclLiterals } from './hcl.js';
import { qemuSource } from './qemu.js';
import { virtualboxSource } from './virtualbox.js';

/** A Packer template in HCL2 JSON syntax, as written to build.pkr.json. */
export type PackerTemplate = Record<string, unknown>;

function packerBlock(plan: BuildPlan): Record<string, unknown> {
  const block: Record<string, unknown> = { required_version: `>= 1.6.6` };
  if (!plan.packer.requiredPlugins) return block;
  const needed: PackerPluginName[] = plan.kind === 'chroot' ? ['vagrant'] : [plan.provider === 'virtualbox' ? 'virtualbox' : 'qemu', 'vagrant'];
  const plugins: Record<string, unknown> = {};
  for (const name of needed.sort()) {
    const version = plan.packer.plugins[name];
    if (version === undefined) throw new Error(`no pinned version for packer plugin ${name}`);
    plugins[name] = { source: PACKER_PLUGIN_SOURCES[name], version: `= ${version}` };
  }
  block.required_plugins = [plugins];
  return block;
}

/**
 * Composes the Packer template for a plan. Pure: the same plan gives the same object with the
 * same key order, so `JSON.stringify` of it is byte-stable. Every string is an HCL literal
 * ({@link hclLiterals}): a `${` or `%{` in a spec value reaches packer as text, never evaluated.
 */
export function composeTemplate(plan: BuildPlan): PackerTemplate {
  return hclLiterals(composeRaw(plan));
}

function composeRaw(plan: BuildPlan): PackerTemplate {
  const name = plan.spec.name;
  if (plan.kind === 'chroot') {
    return {
      packer: packerBlock(plan),
      source: { null: { [name]: { communicator: 'none' } } },
      build: {
        name,
        sources: [`source.null.${name}`],
        provisioner: chrootProvisioners(plan, boxOutputPath(plan)),
        'post-processors': chrootPostProcessors(plan).map((chain) => ({ 'post-processor': chain })),
      },
    };
  }
  const type = plan.provider === 'virtualbox' ? 'virtualbox-ovf' : 'qemu';
  const source = plan.provider === 'virtualbox' ? virtualboxSource(plan) : qemuSource(plan);
  return {
    packer: packerBlock(plan),
    source: { [type]: { [name]: source } },
    build: {
      name,
      sources: [`source.${type}.${name}`],
      provisioner: vmProvisioners(plan),
      'post-processor': vmPostProcessors(plan),
    },
  };
}

/** The template as build.pkr.json text: two-space JSON with a final newline. */
export function templateText(template: PackerTemplate): string {
  return `${JSON.stringify(template, null, 2)}\n`;
}
