/**
 * A timed probe of the site from inside the lab's namespace: one GET every `intervalMs` (so at most
 * 1000 / intervalMs requests a second), each with a 1 s timeout, for at most `maxSeconds`. Each
 * answer is a sample (time, status, X-Served-By, visit count), so a test can say when requests
 * failed and for how long: the failure window.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningLab } from './lab-run.js';

/** One probe request. */
export interface Sample {
  /** Epoch ms when it was sent. */
  at: number;
  /** HTTP status, 0 for a connection error or timeout. */
  status: number;
  servedBy: string;
  /** The visit counter on the page, or -1. */
  visits: number;
}

const SCRIPT = `import { request } from 'node:http';
const [url, host, interval, maxSeconds] = process.argv.slice(2);
const until = Date.now() + Number(maxSeconds) * 1000;
let stopped = false;
process.on('SIGTERM', () => { stopped = true; });
const once = () => new Promise((resolve) => {
  const at = Date.now();
  const req = request(url, { headers: { Host: host }, timeout: 1000 }, (res) => {
    let body = '';
    res.on('data', (c) => { body += c; });
    res.on('end', () => {
      const m = /id="visits">(\\d+)</.exec(body);
      resolve([at, res.statusCode, res.headers['x-served-by'] || '-', m ? Number(m[1]) : -1]);
    });
    res.on('error', () => resolve([at, 0, '-', -1]));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => resolve([at, 0, '-', -1]));
  req.end();
});
while (!stopped && Date.now() < until) {
  const started = Date.now();
  const s = await once();
  process.stdout.write(s.join(' ') + '\\n');
  const wait = Number(interval) - (Date.now() - started);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
`;

/** A running probe. */
export interface RunningProbe {
  samples: Sample[];
  /** Stops it and resolves with every sample. */
  stop(): Promise<Sample[]>;
}

export function startProbe(run: RunningLab, url: string, opts: { host: string; intervalMs?: number; maxSeconds: number }): RunningProbe {
  const dir = mkdtempSync(join(tmpdir(), 'bw-probe-'));
  const script = join(dir, 'probe.mjs');
  writeFileSync(script, SCRIPT);
  const samples: Sample[] = [];
  const child = run.spawnInNs(process.execPath, [script, url, opts.host, String(opts.intervalMs ?? 100), String(opts.maxSeconds)], (line) => {
    const [at, status, servedBy, visits] = line.trim().split(' ');
    if (at && status) samples.push({ at: Number(at), status: Number(status), servedBy: servedBy ?? '-', visits: Number(visits) });
  });
  return {
    samples,
    async stop() {
      child.stop();
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
      return samples;
    },
  };
}

/** Failed samples (non-200) and the window they span: first failure to the first success after the last one. */
export function failureWindow(samples: readonly Sample[]): { failed: number; windowMs: number; firstFailureAt?: number } {
  const failures = samples.filter((s) => s.status !== 200);
  if (failures.length === 0) return { failed: 0, windowMs: 0 };
  const first = failures[0]!.at;
  const last = failures.at(-1)!.at;
  const recovered = samples.find((s) => s.at > last && s.status === 200)?.at ?? last;
  return { failed: failures.length, windowMs: recovered - first, firstFailureAt: first };
}
