/**
 * The `ha` section of the benchmark: runs the deploy and ha e2e tests (test/e2e/deploy.test.ts,
 * test/e2e/ha.test.ts: one single-server lab, one ha lab, every scenario under load) on the given
 * box, and turns the figures they measured into report figures. The scenarios are defined once,
 * in the tests; the bench only collects.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Figure } from './report.js';

/** What test/e2e/ha.test.ts writes to BOXWRIGHT_HA_FIGURES (and deploy.test.ts, as `single`, to BOXWRIGHT_DEPLOY_FIGURES). */
export interface HaRun {
  upSeconds?: number;
  firstOkSeconds?: number;
  deploy?: { seconds: number; requests: number; failed: number };
  killApp?: { requests: number; failed: number };
  haltApp?: { requests: number; failed: number; markedDownMs: number };
  haltLb?: { requests: number; failed: number; windowMs: number };
  dbPromote?: { promoteSeconds: number; writesBackMs: number; before: number; after: number };
  scaleOut?: { upSeconds: number; servedBy: string[] };
  single?: { deploySeconds: number; deployFailed: number; deployRequests: number; rollbackSeconds: number; rollbackFailed: number };
}

type Put = (id: string, label: string, value: number | null | undefined, unit: string, note?: string) => void;

/** Report figures from one run's measurements. Pure. */
export function haFigures(run: HaRun, put: Put): void {
  put('ha.single.deployMs', 'deploy, single lab: `boxwright deploy` until both instances serve the release', run.single ? run.single.deploySeconds * 1000 : null, 'ms', 'under 4 connections of load');
  put('ha.single.deployFailed', 'deploy, single lab: failed requests', run.single?.deployFailed, 'count', `of ${run.single?.deployRequests ?? '?'} requests`);
  put('ha.single.rollbackFailed', 'rollback, single lab: failed requests', run.single?.rollbackFailed, 'count');
  put('ha.upMs', 'ha lab: `vagrant up` of 6 machines (TCG) until it returns', run.upSeconds !== undefined ? run.upSeconds * 1000 : null, 'ms');
  put('ha.first200Ms', 'ha lab: `vagrant up` → first 200 through the VIP', run.firstOkSeconds !== undefined ? run.firstOkSeconds * 1000 : null, 'ms');
  put('ha.deployMs', 'deploy, ha lab: until app1 and app2 serve the release', run.deploy ? run.deploy.seconds * 1000 : null, 'ms');
  put('ha.deployFailed', 'deploy, ha lab: failed requests', run.deploy?.failed, 'count', `of ${run.deploy?.requests ?? '?'}`);
  put('ha.killAppFailed', 'kill -9 of app1\'s Node: failed requests', run.killApp?.failed, 'count', `of ${run.killApp?.requests ?? '?'}`);
  put('ha.haltAppFailed', 'app1 powered off: failed requests', run.haltApp?.failed, 'count', `of ${run.haltApp?.requests ?? '?'}`);
  put('ha.haltAppDownMs', 'app1 powered off → HAProxy marks it down', run.haltApp?.markedDownMs, 'ms', 'polled on lb1 every 100 ms');
  put('ha.haltLbFailed', 'lb1 powered off: failed requests', run.haltLb?.failed, 'count', `of ${run.haltLb?.requests ?? '?'} probes, 1 every 100 ms`);
  put('ha.vipFailoverMs', 'lb1 powered off: VIP failover window (first to last failed request)', run.haltLb?.windowMs, 'ms');
  put('ha.dbPromoteMs', '`boxwright db-promote` wall time', run.dbPromote ? run.dbPromote.promoteSeconds * 1000 : null, 'ms');
  put('ha.dbWritesBackMs', 'db1 lost: db-promote start → first successful write', run.dbPromote?.writesBackMs, 'ms', run.dbPromote ? `counter ${run.dbPromote.before} → ${run.dbPromote.after}` : undefined);
  put('ha.scaleOutMs', 'scale-out to 3 app servers: `vagrant up` until it returns', run.scaleOut ? run.scaleOut.upSeconds * 1000 : null, 'ms');
}

/** Runs the two e2e tests on `box`; returns the figures (null where a test did not get that far). */
export async function runHaBench(repoRoot: string, box: string, log: (line: string) => void): Promise<Record<string, Omit<Figure, 'value'> & { value: number | null }>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bw-bench-ha-'));
  const figures: Record<string, Omit<Figure, 'value'> & { value: number | null }> = {};
  try {
    const haFile = path.join(dir, 'ha.json');
    const deployFile = path.join(dir, 'deploy.json');
    for (const file of ['test/e2e/deploy.test.ts', 'test/e2e/ha.test.ts']) {
      log(`running ${file}`);
      const run = await execa('npx', ['ava', '--timeout=90m', file], {
        cwd: repoRoot, reject: false, stdin: 'ignore',
        env: { BOXWRIGHT_E2E: '1', BOXWRIGHT_E2E_HA: '1', BOXWRIGHT_BOX_FILE: box, BOXWRIGHT_HA_FIGURES: haFile, BOXWRIGHT_DEPLOY_FIGURES: deployFile },
      });
      if (run.exitCode !== 0) log(`${file} failed (exit ${run.exitCode}): ${String(run.stdout).split('\n').slice(-8).join(' | ')}`);
    }
    const read = async (file: string) => JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>;
    const ha = await read(haFile) as HaRun;
    ha.single = (await read(deployFile)) as HaRun['single'];
    haFigures(ha, (id, label, value, unit, note) => {
      figures[id] = { label, value: value ?? null, unit, ...(note ? { note } : {}) };
    });
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
