import { accessSync, constants, existsSync } from 'node:fs';
import { BoxwrightError } from '../errors.js';
import type { Accelerator, BuildKind, Provider } from '../image/types.js';
import type { PlannedBase } from './bases.js';

/** What the host offers, read once; injectable for tests. */
export interface HostFacts {
  /** /dev/kvm exists and is read-writable. */
  kvmDevice: boolean;
  /** A nested `kvm_pvm` module is loaded: its KVM cannot boot a 64-bit Linux guest (FACTS.md). */
  nestedPvm: boolean;
  /** Running as root (needed for chroot builds: mounts and chroot). */
  root: boolean;
}

/** Reads {@link HostFacts} from this machine. */
export function readHostFacts(): HostFacts {
  let kvmDevice = false;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    kvmDevice = true;
  } catch { /* no usable /dev/kvm */ }
  return { kvmDevice, nestedPvm: existsSync('/sys/module/kvm_pvm'), root: process.getuid?.() === 0 };
}

/** `auto` → `kvm` only where KVM can boot a guest; otherwise TCG (slow but works everywhere). */
export function chooseAccelerator(requested: Accelerator, host: HostFacts): 'kvm' | 'tcg' {
  if (requested === 'tcg') return 'tcg';
  if (requested === 'kvm') {
    if (!host.kvmDevice) throw new BoxwrightError('E_HOST', 'accelerator "kvm" was asked for but /dev/kvm is missing or not writable; use --accelerator tcg or enable KVM', { path: 'build.accelerator' });
    return 'kvm';
  }
  return host.kvmDevice && !host.nestedPvm ? 'kvm' : 'tcg';
}

/**
 * `auto` → `chroot` when the base is bootstrapped from a mirror, the box is for libvirt and the host
 * can chroot (root); otherwise `vm`. An explicit `chroot` that cannot work is refused with the reason.
 */
export function chooseKind(requested: BuildKind, base: Pick<PlannedBase, 'os' | 'source'>, provider: Provider, host: HostFacts): 'vm' | 'chroot' {
  const blocker = base.source !== 'mirror' ? `the base "${base.os}" is ${base.source === 'custom' ? 'a custom disk image' : 'a cloud image'}, not bootstrapped from a mirror`
    : provider !== 'libvirt' ? `chroot builds make libvirt boxes only (asked for ${provider})`
      : !host.root ? 'chroot builds need root (mounts and chroot)'
        : undefined;
  if (requested === 'vm') return 'vm';
  if (requested === 'chroot') {
    if (blocker) throw new BoxwrightError('E_SPEC_INVALID', `build.kind "chroot" cannot be used: ${blocker}; use --kind vm or auto`, { path: 'build.kind' });
    return 'chroot';
  }
  return blocker ? 'vm' : 'chroot';
}
