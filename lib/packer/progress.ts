/** Build phases a packer `ui` line can reveal (a subset of Boxwright's `phase` events). */
export type PackerPhase = 'boot' | 'provision' | 'shutdown' | 'post-process';

/** What a `ui` line tells about the build's progress. */
export interface UiProgress {
  /** The phase the build has entered. */
  phase?: PackerPhase;
  /** For a provisioner step: the script's file name (`10-update.sh`). */
  script?: string;
  /** For a provisioner step: the script path exactly as packer printed it. */
  scriptPath?: string;
  /** For `post-process`: the post-processor type (`vagrant`, `manifest`), when packer names it. */
  postProcessor?: string;
}

/** `==> target: text` (a `say` line). Captures target and text. */
const SAY = /^==> (?:([^\s:]+): )?(.*)$/s;

const RULES: ReadonlyArray<{ re: RegExp; make: (m: RegExpExecArray) => UiProgress }> = [
  { re: /^Starting (?:VM|the virtual machine|virtual machine)\b/, make: () => ({ phase: 'boot' }) },
  { re: /^Waiting for (?:SSH|WinRM) to become available/, make: () => ({ phase: 'boot' }) },
  { re: /^Connected to (?:SSH|WinRM)!/, make: () => ({ phase: 'provision' }) },
  { re: /^Provisioning with shell script: (.+)$/, make: (m) => script(m[1] ?? '') },
  { re: /^Running local shell script: (.+)$/, make: (m) => script(m[1] ?? '') },
  { re: /^(?:Gracefully halting virtual machine|Halting the virtual machine|Waiting for shutdown)/, make: () => ({ phase: 'shutdown' }) },
  // 1.6.6 with HCL2 prints `Running post-processor:  (type vagrant)` (empty name); others `vagrant`
  // or `name (type vagrant)`.
  { re: /^Running post-processor: *(.*)$/, make: (m) => postProcessor(m[1] ?? '') },
];

function script(path: string): UiProgress {
  const scriptPath = path.trim();
  const script = scriptPath.split(/[\\/]/).pop() ?? scriptPath;
  return { phase: 'provision', script, scriptPath };
}

function postProcessor(rest: string): UiProgress {
  const typed = /\(type ([^)]+)\)\s*$/.exec(rest);
  const name = typed?.[1] ?? rest.trim().split(/\s+/)[0] ?? '';
  return name === '' ? { phase: 'post-process' } : { phase: 'post-process', postProcessor: name };
}

/**
 * Map a packer `ui` message to Boxwright progress, or `undefined` when it says nothing about it.
 * Only `==> target: ...` lines count; indented output of scripts (`    target: ...`) never does.
 *
 * @example progressFromUi('==> qemu.web: Provisioning with shell script: scripts/10-update.sh')
 * // → { phase: 'provision', script: '10-update.sh', scriptPath: 'scripts/10-update.sh' }
 */
export function progressFromUi(message: string): UiProgress | undefined {
  const say = SAY.exec(message.trim());
  if (!say) return undefined;
  const text = say[2] ?? '';
  for (const rule of RULES) {
    const m = rule.re.exec(text);
    if (m) return rule.make(m);
  }
  return undefined;
}
