/**
 * `out/lab.json`: what the top-level Vagrantfile needs to boot a built box. The build writes it
 * beside the box with values already validated (the image spec's rules) and resolved on the build
 * host (the accelerator the build chose, the CPU model for it); the Vagrantfile reads them after env
 * vars and a user's `lab.json` and does not decide them again. The hosts-block id is not here: it
 * names the lab's folder, which only the Vagrantfile knows (vagrant/settings.rb).
 */
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic.js';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Accelerator, ImageSpec, Provider } from '../image/types.js';

/** An accelerator as resolved for a host: `auto` already decided. */
export type ResolvedAccelerator = Exclude<Accelerator, 'auto'>;

/** Format of the lab file; the Vagrantfile refuses a newer one (vagrant/settings.rb LAB_FILE_FORMAT). */
export const LAB_FILE_FORMAT = 2;

/** The box a lab boots. */
export interface LabBox {
  /** Box name in Vagrant (`config.vm.box`); the image spec's `name`. */
  name: string;
  /** Box file, relative to lab.json, with `/` separators. */
  path: string;
  /** Provider the box file was built for. */
  provider: Provider;
}

/** Content of `lab.json`. */
export interface LabFile {
  /** {@link LAB_FILE_FORMAT}; a file without it is format 1 (accelerator possibly `auto`). */
  format: typeof LAB_FILE_FORMAT;
  box: LabBox;
  /** VM hostname, resolved on host and guest to {@link LabFile.ip}. */
  hostname: string;
  /** Further names resolved to the same IP. @default [] */
  aliases: string[];
  /** Static private IPv4 of the VM. */
  ip: string;
  /** vCPUs of the lab VM. */
  cpus: number;
  /** Memory of the lab VM in MiB. */
  memory: number;
  /** QEMU accelerator for libvirt, as the build resolved it (`auto` avoids a KVM that cannot boot). */
  accelerator: ResolvedAccelerator;
  /** libvirt CPU model; `null` passes the host CPU through (KVM). See {@link labCpuModel}. */
  cpuModel: string | null;
}

/** Options of {@link labFileFor}. */
export interface LabFileOptions {
  /** Path of the built box file. */
  boxPath: string;
  /** Provider the box was built for. */
  provider: Provider;
  /** Folder lab.json will be written to. @default dirname(boxPath) */
  outDir?: string;
  /** The accelerator the build resolved for this host (the build plan's `accelerator`). */
  accelerator: ResolvedAccelerator;
}

/** libvirt CPU model for a lab VM: `qemu64` under TCG (`-cpu host/max` abort on nested KVM hosts), the host CPU under KVM. */
export function labCpuModel(accelerator: ResolvedAccelerator): string | null {
  return accelerator === 'tcg' ? 'qemu64' : null;
}

/** File name of the lab file in a build's output folder. */
export const LAB_FILE_NAME = 'lab.json';

/** The lab file for a box built from `spec`. Pure: nothing is read or written. */
export function labFileFor(spec: ImageSpec, options: LabFileOptions): LabFile {
  const outDir = options.outDir ?? dirname(options.boxPath);
  const rel = relative(outDir, options.boxPath) || basename(options.boxPath);
  return {
    format: LAB_FILE_FORMAT,
    box: { name: spec.name, path: rel.split(sep).join('/'), provider: options.provider },
    hostname: spec.hostname,
    aliases: [...spec.aliases],
    ip: spec.network.ip,
    cpus: spec.vm.cpus,
    memory: spec.vm.memory,
    accelerator: options.accelerator,
    cpuModel: labCpuModel(options.accelerator),
  };
}

/** JSON text of a lab file: two-space indent, stable key order, final newline. */
export function serializeLabFile(lab: LabFile): string {
  const ordered: LabFile = {
    format: lab.format,
    box: { name: lab.box.name, path: lab.box.path, provider: lab.box.provider },
    hostname: lab.hostname,
    aliases: [...lab.aliases],
    ip: lab.ip,
    cpus: lab.cpus,
    memory: lab.memory,
    accelerator: lab.accelerator,
    cpuModel: lab.cpuModel,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * Writes `<outDir>/lab.json` atomically (temp file in the same folder, then rename), so a
 * Vagrantfile never reads half a file. Returns the path written.
 */
export async function writeLabFile(outDir: string, lab: LabFile): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const target = join(outDir, LAB_FILE_NAME);
  await writeFileAtomic(target, serializeLabFile(lab));
  return target;
}
