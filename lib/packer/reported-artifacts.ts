import type { PackerEvent } from './machine-readable.js';

/** One artifact packer reported at the end of a build. */
export interface PackerArtifact {
  /** Build name that produced it (`qemu.foobar-web`). */
  target: string;
  /** Index within the target (builder first, then post-processors that were kept). */
  index: number;
  /** E.g. `transcend.qemu`, `mitchellh.post-processor.vagrant`, `packer.file`, `fnoeding.null`. */
  builderId: string;
  /** Artifact id; for the vagrant post-processor the Vagrant provider (`libvirt`, `virtualbox`). */
  id: string;
  /** Human description, e.g. `'libvirt' provider box: out/x.box`. */
  string: string;
  /** Files, as packer printed them (relative to the build's working directory unless absolute). */
  files: string[];
  /** True once the `end` line was seen. */
  complete: boolean;
}

/** Builder id of the artifact the `vagrant` post-processor produces. */
export const VAGRANT_POST_PROCESSOR_ID = 'mitchellh.post-processor.vagrant';

/** A box produced by the vagrant post-processor. */
export interface VagrantBoxArtifact {
  /** Vagrant provider of the box (`libvirt`, `virtualbox`). */
  provider: string;
  /** Path of the `.box` file as packer printed it. */
  path: string;
}

/**
 * Collects `artifact` events into {@link PackerArtifact} records.
 * Feed it every event; read `artifacts` at the end.
 */
export class ArtifactCollector {
  readonly #byKey = new Map<string, PackerArtifact>();

  /** Take one event; non-artifact events are ignored. */
  push(event: PackerEvent): void {
    if (event.type !== 'artifact') return;
    const key = `${event.target}\u0000${event.index}`;
    let artifact = this.#byKey.get(key);
    if (!artifact) {
      artifact = { target: event.target, index: event.index, builderId: '', id: '', string: '', files: [], complete: false };
      this.#byKey.set(key, artifact);
    }
    switch (event.field) {
      case 'builder-id': artifact.builderId = event.value; break;
      case 'id': artifact.id = event.value; break;
      case 'string': artifact.string = event.value; break;
      case 'file': artifact.files[event.fileIndex ?? artifact.files.length] = event.value; break;
      case 'end': artifact.complete = true; break;
      default: break;
    }
  }

  /** Artifacts in the order packer first mentioned them. */
  get artifacts(): PackerArtifact[] {
    return [...this.#byKey.values()].map((a) => ({ ...a, files: a.files.filter((f) => f !== undefined) }));
  }
}

/** Boxes made by the vagrant post-processor among `artifacts`. */
export function vagrantBoxes(artifacts: readonly PackerArtifact[]): VagrantBoxArtifact[] {
  return artifacts
    .filter((a) => a.builderId === VAGRANT_POST_PROCESSOR_ID && a.files.length > 0)
    .map((a) => ({ provider: a.id, path: a.files[0] as string }));
}
