/**
 * A bounded load on the lab, from inside its network namespace: `wrk` (Debian) with a few
 * connections, a pause between requests on each (so the rate is bounded: connections × 1000 /
 * pauseMs at most), a time limit, and a Lua script that counts responses by status and by the value
 * of one response header (the release, or the machine that answered).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a load run saw. */
export interface LoadResult {
  /** Responses received, any status. */
  responses: number;
  /** Responses with status 200. */
  ok: number;
  /** Non-200 responses plus connect/read/write errors and timeouts: every failed request. */
  failed: number;
  errors: { connect: number; read: number; write: number; timeout: number; status: number };
  /** Count of 200 responses by the value of the counted header ('-' when absent). */
  byHeader: Record<string, number>;
  /** Count of responses by status. */
  byStatus: Record<string, number>;
  seconds: number;
  /** wrk's own output. */
  output: string;
}

/** Options of {@link startLoad}. */
export interface LoadOptions {
  /** Host header. */
  host: string;
  /** Upper bound of the run; {@link RunningLoad.stop} ends it earlier. */
  maxSeconds: number;
  /** Response header to count by (case as sent). */
  countHeader: string;
  /** @default 4 */
  connections?: number;
  /** Pause of each connection between two requests. @default 25 */
  pauseMs?: number;
}

/** A load that is running. */
export interface RunningLoad {
  /** Stops the load (SIGINT: wrk prints its summary) and resolves with the result. */
  stop(): Promise<LoadResult>;
  /** Resolves when the load ends by itself. */
  done: Promise<LoadResult>;
}

function script(opts: LoadOptions): string {
  return `-- boxwright e2e load: counts responses by status and by one header
counts = {}
statuses = {}
local threads = {}
wrk.headers["Host"] = ${JSON.stringify(opts.host)}
function setup(thread) table.insert(threads, thread) end
function delay() return ${opts.pauseMs ?? 25} end
function response(status, headers, body)
  statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  if status == 200 then
    local v = headers[${JSON.stringify(opts.countHeader)}] or headers[${JSON.stringify(opts.countHeader.toLowerCase())}] or "-"
    counts[v] = (counts[v] or 0) + 1
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("boxwright-load errors %d %d %d %d %d\\n", e.connect, e.read, e.write, e.timeout, e.status))
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do io.write(string.format("boxwright-load header %s %d\\n", k, v)) end
    for k, v in pairs(t:get("statuses")) do io.write(string.format("boxwright-load status %s %d\\n", k, v)) end
  end
end
`;
}

/** Parses the lines the Lua script's done() printed. */
export function parseLoadOutput(output: string, seconds: number): LoadResult {
  const result: LoadResult = { responses: 0, ok: 0, failed: 0, errors: { connect: 0, read: 0, write: 0, timeout: 0, status: 0 }, byHeader: {}, byStatus: {}, seconds, output };
  let sawSummary = false;
  for (const line of output.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'boxwright-load') continue;
    if (words[1] === 'errors') {
      sawSummary = true;
      const [connect, read, write, timeout, status] = words.slice(2).map(Number);
      result.errors = { connect: connect!, read: read!, write: write!, timeout: timeout!, status: status! };
    } else if (words[1] === 'header') result.byHeader[words[2]!] = (result.byHeader[words[2]!] ?? 0) + Number(words[3]);
    else if (words[1] === 'status') result.byStatus[words[2]!] = (result.byStatus[words[2]!] ?? 0) + Number(words[3]);
  }
  if (!sawSummary) throw new Error(`wrk printed no summary:\n${output}`);
  result.responses = Object.values(result.byStatus).reduce((a, b) => a + b, 0);
  result.ok = result.byStatus['200'] ?? 0;
  const e = result.errors;
  result.failed = (result.responses - result.ok) + e.connect + e.read + e.write + e.timeout;
  return result;
}

/** Starts wrk against `url` with the command prefix that enters the lab's namespace. */
export function startLoad(prefix: readonly string[], url: string, opts: LoadOptions): RunningLoad {
  const dir = mkdtempSync(join(tmpdir(), 'bw-load-'));
  const lua = join(dir, 'count.lua');
  writeFileSync(lua, script(opts));
  const started = Date.now();
  const child = spawn(prefix[0]!, [...prefix.slice(1), 'wrk', '-t1', `-c${opts.connections ?? 4}`, `-d${opts.maxSeconds}s`, '--timeout', '10s', '-s', lua, url],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const done = new Promise<LoadResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      try {
        resolve(parseLoadOutput(output, (Date.now() - started) / 1000));
      } catch (error) {
        reject(error);
      }
    });
  });
  return {
    done,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return done;
    },
  };
}
