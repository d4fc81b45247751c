import { readdirSync, readFileSync } from 'node:fs';

/** One process seen in `/proc`: its id, parent, process group and start time (clock ticks). */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Field 22 of /proc/<pid>/stat: tells a process apart from a later one reusing its PID. */
  startTime: string;
  /** Single-letter state (`R`, `S`, `Z`, ...). */
  state: string;
}

/** Read /proc/<pid>/stat, or `undefined` when the process is gone (or /proc is absent). */
export function readProc(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces and ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const [state, ppid, pgid, startTime] = [rest[0], rest[1], rest[2], rest[19]];
  if (state === undefined || ppid === undefined || pgid === undefined || startTime === undefined) return undefined;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), startTime, state };
}

function allProcs(): ProcInfo[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const procs: ProcInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) procs.push(info);
  }
  return procs;
}

/** True while `recorded` (same PID and start time) is alive and not a zombie. */
export function isAlive(recorded: ProcInfo): boolean {
  const now = readProc(recorded.pid);
  return now !== undefined && now.startTime === recorded.startTime && now.state !== 'Z' && now.state !== 'X';
}

/**
 * Remembers every descendant of one root process, by polling `/proc`, so that they can be killed
 * after the root is gone even if they were re-parented. Members of the root's process group count
 * as descendants (they inherited the group from it). Linux only; elsewhere it records nothing.
 */
export class DescendantTracker {
  readonly #root: number;
  readonly #seen = new Map<number, ProcInfo>();
  #timer: NodeJS.Timeout | undefined;
  #rootStart: string | undefined;

  /** @param root PID of the process whose descendants to track (a process-group leader). */
  constructor(root: number) {
    this.#root = root;
  }

  /** Scan /proc once and record new descendants. */
  scan(): void {
    const procs = allProcs();
    const byPid = new Map(procs.map((p) => [p.pid, p]));
    const kids = new Map<number, number[]>();
    for (const p of procs) {
      const list = kids.get(p.ppid);
      if (list) list.push(p.pid);
      else kids.set(p.ppid, [p.pid]);
    }
    const root = byPid.get(this.#root);
    if (root && this.#rootStart === undefined) this.#rootStart = root.startTime;
    const rootIsOurs = root !== undefined && root.startTime === this.#rootStart;
    // Expand only processes that are still the ones we recorded (a reused PID is someone else).
    const queue = [...(rootIsOurs ? [this.#root] : []), ...this.recorded.filter((p) => byPid.get(p.pid)?.startTime === p.startTime).map((p) => p.pid)];
    const found = new Set<number>();
    while (queue.length > 0) {
      const pid = queue.pop() as number;
      for (const kid of kids.get(pid) ?? []) {
        if (!found.has(kid)) {
          found.add(kid);
          queue.push(kid);
        }
      }
    }
    // The group id outlives its leader; while the leader is unknown we cannot tell it is ours.
    if (this.#rootStart !== undefined) {
      for (const p of procs) if (p.pgid === this.#root && p.pid !== this.#root) found.add(p.pid);
    }
    for (const pid of found) {
      const info = byPid.get(pid);
      if (info && this.#seen.get(pid)?.startTime !== info.startTime) this.#seen.set(pid, info);
    }
  }

  /** Poll every `intervalMs` until {@link stop}. */
  start(intervalMs = 250): void {
    this.scan();
    this.#timer = setInterval(() => this.scan(), intervalMs);
    this.#timer.unref();
  }

  /** Stop polling (after one last scan). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.scan();
  }

  /** Descendants recorded so far. */
  get recorded(): ProcInfo[] {
    return [...this.#seen.values()];
  }

  /** Recorded descendants that are still alive (same PID and start time). */
  survivors(): ProcInfo[] {
    return this.recorded.filter(isAlive);
  }

  /** SIGKILL every recorded descendant still alive; returns the PIDs signalled. */
  killSurvivors(): number[] {
    const killed: number[] = [];
    for (const p of this.survivors()) {
      try {
        process.kill(p.pid, 'SIGKILL');
        killed.push(p.pid);
      } catch {
        // already gone
      }
    }
    return killed;
  }
}
