/**
 * The Boxwright benchmark: `npm run bench` (as root; `node --import=tsx bench/run.ts`).
 *
 * One run on this machine measures, each figure with its unit: in-process compose+render, the CLI
 * render, a cold build of the stack (debian-12, TCG) per phase for the chroot and the vm kind from
 * the cached base, the cache-hit rebuild (library and CLI), box sizes, boot → first HTTP 200 of
 * the built boxes, `vagrant up` → first HTTP 200 of the chroot box through the repository's
 * Vagrantfile, and three baselines (a bare packer build; provisioning at boot; provisioning at
 * `vagrant up`). It writes
 * bench/report.json and prints a markdown table on stdout; progress goes to stderr. Every section
 * runs in its own try/catch: a failure is recorded in `errors` and the run goes on. Every VM,
 * namespace and packer process it starts is stopped by PID before it moves on.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianRecipeHash, defaultCacheDir as baseCacheDir, findVagrantInsecurePrivateKey, resolveBase } from '../lib/base/index.js';
import { buildImage } from '../lib/builder/build-image.js';
import type { BuildEvent } from '../lib/builder/events.js';
import { renderImage } from '../lib/render/render-image.js';
import { planBuild } from '../lib/plan/plan.js';
import { loadImage } from '../lib/image/load.js';
import type { ImageSpec } from '../lib/image/types.js';
import { composeTemplate } from '../lib/template/compose.js';
import { bareBuild } from './bare.js';
import { bootAndWait, diskOfBox, provisionAtBoot } from './boot.js';
import { auditBox } from '../lib/verify/audit-box.js';
import { decide, decisionProblems } from '../lib/verify/hardening-decisions.js';
import { provisionAtUp, vagrantUpTo200 } from './lab.js';
import { runHaBench } from './ha.js';
import { machineFacts } from './machine.js';
import { runCli, timed } from './process.js';
import { type BenchReport, evaluateTargets, type Figure, formatReport, median, ratioOf, round } from './report.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const benchDir = path.join(repoRoot, 'bench');
const imageDir = path.join(repoRoot, 'images', 'foobar-web');
const KINDS = ['chroot', 'vm'] as const;
type Kind = (typeof KINDS)[number];

const t0 = Date.now();
const log = (line: string): void => {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${line}\n`);
};

// Ctrl-C / SIGTERM: builds and VMs get the abort signal and stop their children; a second one quits.
const controller = new AbortController();
const { signal } = controller;
let interrupts = 0;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    log(`${name}: stopping (the running section cleans up; again to quit at once)`);
    controller.abort(new Error(`cancelled by ${name}`));
  });
}

const figures: Record<string, Figure> = {};
const errors: Record<string, string> = {};
const sections: BenchReport['sections'] = {};
let hardening: BenchReport['hardening'];
const figure = (id: string, label: string, value: number | null, unit: string, note?: string): void => {
  figures[id] = { label, value: value === null ? null : round(value, unit === 'bytes' ? 0 : 1), unit, ...(note ? { note } : {}) };
};

/** `--only a,b`: run only the sections whose name contains one of these (the base always runs). For debugging the bench. */
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? (process.argv[onlyArg + 1] ?? '').split(',').filter(Boolean) : [];

/** Runs one section; a failure is recorded, not thrown. */
async function section(name: string, fn: () => Promise<void>): Promise<void> {
  if (only.length > 0 && name !== 'base' && !only.some((part) => name.includes(part))) return;
  const load1 = os.loadavg()[0] ?? 0;
  if (signal.aborted) {
    errors[name] = 'skipped: the run was cancelled';
    return;
  }
  log(`── ${name} (load ${load1.toFixed(2)})`);
  const started = Date.now();
  try {
    await fn();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    errors[name] = message;
    log(`${name} FAILED: ${message.split('\n').slice(0, 6).join('\n')}`);
  } finally {
    sections[name] = { ms: Date.now() - started, load1: round(load1, 2) };
  }
}

const buildOptions = (kind: Kind) => ({ outDir: path.join(benchDir, `out-${kind}`), base: 'debian-12' as const, kind, accelerator: 'tcg' as const });
const cliBuildArgs = (kind: Kind): string[] => ['build', imageDir, '--out', path.join(benchDir, `out-${kind}`), '--base', 'debian-12', '--kind', kind, '--accelerator', 'tcg'];

function onBuildEvent(kind: string) {
  return (event: BuildEvent): void => {
    if (event.type === 'phase') log(`${kind}: phase ${event.phase}`);
    else if (event.type === 'step') log(`${kind}: step ${event.index}/${event.total} ${event.name}`);
    else if (event.type === 'cache') log(`${kind}: cache ${event.result}`);
    else if (event.type === 'log' && event.level === 'error') log(`${kind}: ${event.line}`);
  };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark builds chroots and boots VMs in namespaces: run it as root');
  const machine = await machineFacts('tcg', repoRoot);
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAverage.start.map((v) => v.toFixed(2)).join(' ')}`);
  const spec: ImageSpec = await loadImage(imageDir);
  const work = await mkdtemp(path.join(tmpdir(), 'bw-bench-'));
  const boxes: Partial<Record<Kind, string>> = {};
  let base: { disk: string; sha256: string } | undefined;

  try {
    await section('compose+render', async () => {
      const options = { outDir: path.join(work, 'render'), base: 'debian-12' as const, kind: 'vm' as const, accelerator: 'tcg' as const };
      const warm = await renderImage(spec, options); // warm: the app bundle is made (or found) in the cache
      const compose: number[] = [];
      const render: number[] = [];
      const both: number[] = [];
      for (let i = 0; i < 50; i += 1) {
        const a = performance.now();
        composeTemplate(await planBuild(spec, options));
        const b = performance.now();
        await renderImage(spec, options);
        const c = performance.now();
        compose.push(b - a);
        render.push(c - b);
        both.push(c - a);
      }
      figure('composeRenderMs', 'compose + render, in process (warm app-bundle cache)', median(both), 'ms', 'median of 50; render writes the whole build folder');
      figure('composeMs', 'planBuild + composeTemplate alone', median(compose), 'ms', 'median of 50');
      figure('renderMs', 'renderImage alone', median(render), 'ms', 'median of 50');
    });

    await section('cli render', async () => {
      const times: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const run = await runCli(repoRoot, ['render', imageDir, '--out', path.join(work, 'cli-render'), '--base', 'debian-12', '--kind', 'vm', '--accelerator', 'tcg']);
        if (run.exitCode !== 0) throw new Error(`boxwright render exited ${run.exitCode}: ${run.stderr.trim()}`);
        times.push(run.ms);
      }
      figure('cliRenderMs', 'CLI `boxwright render` wall time', median(times), 'ms', 'median of 5 spawns of node bin/boxwright.js (dist/ when current, else tsx)');
    });

    await section('base', async () => {
      const diskSize = spec.vm.diskSize;
      const hash = await debianRecipeHash({ diskSize });
      const entry = path.join(baseCacheDir(), 'base', `debian-12-${hash}`);
      const preexisting = await readFile(path.join(entry, 'base.json'), 'utf8').then(() => true, () => false);
      if (!preexisting) log(`base ${hash.slice(0, 12)} is not cached: building it first (not counted in the stack builds)`);
      const resolved = await resolveBase({ ...spec, base: 'debian-12' }, { diskSize, onLog: (line) => log(line) });
      base = { disk: resolved.diskPathOrUrl, sha256: resolved.checksum.replace(/^sha256:/, '') };
      const record = JSON.parse(await readFile(path.join(entry, 'base.json'), 'utf8')) as { timings: { rootfsMs: number; diskMs: number } };
      const note = preexisting ? 'recorded in the cache entry base.json when the base was built; not rebuilt here' : 'built during this run (the entry was missing), as recorded in base.json';
      figure('base.rootfsMs', 'base: mmdebstrap root filesystem', record.timings.rootfsMs, 'ms', note);
      figure('base.diskMs', 'base: disk + bootloader + qcow2', record.timings.diskMs, 'ms', note);
      figure('base.totalMs', 'base: cold total', record.timings.rootfsMs + record.timings.diskMs, 'ms', note);
    });

    for (const kind of KINDS) {
      await section(`build ${kind}`, async () => {
        const { ms, value } = await timed(() => buildImage(spec, { ...buildOptions(kind), force: true, signal, onEvent: onBuildEvent(kind) }));
        boxes[kind] = value.box;
        figure(`${kind}.buildMs`, `${kind} build, cold (force), wall`, ms, 'ms', 'buildImage from the cached base: render → validate → build → verify');
        for (const [phase, phaseMs] of Object.entries(value.timings)) {
          if (phase === 'totalMs') continue;
          figure(`${kind}.phase.${phase}Ms`, `${kind} build: ${phase}`, phaseMs, 'ms');
        }
        figure(`${kind}.boxBytes`, `${kind} box size`, value.size, 'bytes');
        figure(`${kind}.boxMB`, `${kind} box size`, value.size / 1e6, 'MB', '1 MB = 10^6 bytes');
      });
      await section(`cache hit ${kind}`, async () => {
        const { ms, value } = await timed(() => buildImage(spec, { ...buildOptions(kind), signal }));
        if (!value.cached) throw new Error('the second build was not a cache hit');
        boxes[kind] = value.box;
        figure(`${kind}.cacheHitMs`, `${kind} rebuild, cache hit (library)`, ms, 'ms', 'buildImage without force → cached: true (re-hashes the box)');
        const cli = await runCli(repoRoot, cliBuildArgs(kind));
        if (cli.exitCode !== 0 || !/^cached: /m.test(cli.stderr)) throw new Error(`CLI build was not a cache hit (exit ${cli.exitCode}): ${cli.stderr.trim().split('\n').slice(-3).join(' ')}`);
        figure(`${kind}.cacheHitCliMs`, `${kind} rebuild, cache hit (CLI)`, cli.ms, 'ms', 'node bin/boxwright.js build … (process start included)');
      });
    }

    for (const kind of ['vm', 'chroot'] as const) {
      await section(`boot ${kind} box`, async () => {
        const box = boxes[kind] ?? path.join(benchDir, `out-${kind}`, `${spec.name}-${spec.version}.libvirt.box`);
        const { disk, remove } = await diskOfBox(box);
        try {
          const times = await bootAndWait(disk, (line) => log(`${kind} box: ${line}`), { signal });
          figure(`${kind}.boot.sshMs`, `${kind} box: qemu start → SSH`, times.sshMs, 'ms');
          figure(`${kind}.boot.first200Ms`, `${kind} box: qemu start → first HTTP 200`, times.first200Ms, 'ms', 'curl --resolve www.foobar.com:80:<ip> from the namespace, after the harness set the static IP');
        } finally {
          await remove();
        }
      });
    }

    // The independent audit: the host's Lynis inside the booted chroot box (as `npm run audit`; ~35+ min under TCG).
    await section('audit chroot box', async () => {
      const box = boxes.chroot ?? path.join(benchDir, 'out-chroot', `${spec.name}-${spec.version}.libvirt.box`);
      const audit = await auditBox({ box, onLog: (line) => log(`audit: ${line}`) });
      const r = audit.report;
      figure('audit.hardeningIndex', 'Lynis hardening index, chroot box', r.hardeningIndex, 'points', `lynis ${r.lynisVersion} audit system --quick, ${r.testsDone ?? '?'} tests, ${round(audit.lynisMs / 60_000, 1)} min`);
      figure('audit.warnings', 'Lynis warnings, chroot box', r.warnings.length, 'count', r.warnings.map((w) => w.id).join(' ') || 'none');
      figure('audit.suggestions', 'Lynis suggestions, chroot box', r.suggestions.length, 'count', 'each with its decision and why in the report\'s "hardening" (README, Security: the table)');
      const problems = decisionProblems(r.suggestions);
      figure('audit.decisionProblems', 'Lynis suggestions without a decision, or adopted yet still made', problems.length, 'count', problems.join('; ') || 'none');
      hardening = { suggestions: decide(r.suggestions).map(({ id, text, details, verdict, why }) => ({ id, text, details, verdict, why })) };
    });

    await section('baseline A: bare build', async () => {
      if (!base) throw new Error('no base disk (the base section failed)');
      const key = await findVagrantInsecurePrivateKey();
      if (!key) throw new Error('no Vagrant insecure private key on this host');
      const result = await bareBuild({
        baseDisk: base.disk, baseSha256: base.sha256, sshKey: key, outDir: path.join(benchDir, 'out-bare'),
        cpus: spec.vm.cpus, memory: spec.vm.memory, diskSize: spec.vm.diskSize, log, signal,
      });
      figure('bare.buildMs', 'baseline A: bare packer build (apt-get install nginx mariadb-server nodejs + vagrant)', result.ms, 'ms', 'bench/baselines/bare-build.pkr.json, same base and qemu settings');
      figure('bare.boxMB', 'baseline A: bare box size', result.boxBytes / 1e6, 'MB');
      await rm(result.box, { force: true });
    });

    await section('baseline B: provision at boot', async () => {
      if (!base) throw new Error('no base disk (the base section failed)');
      const times = await provisionAtBoot(spec, base.disk, (line) => log(`baseline B: ${line}`), signal);
      figure('atBoot.sshMs', 'baseline B: qemu start → SSH (plain base)', times.sshMs, 'ms');
      figure('atBoot.provisionMs', 'baseline B: provisioning over SSH (00–80 scripts + start units)', times.extra.provisionMs ?? null, 'ms');
      figure('atBoot.first200Ms', 'baseline B: qemu start → first HTTP 200', times.first200Ms, 'ms');
    });
    await section('lab: vagrant up', async () => {
      const box = boxes.chroot ?? path.join(benchDir, 'out-chroot', `${spec.name}-${spec.version}.libvirt.box`);
      const times = await vagrantUpTo200(box, (line) => log(`lab: ${line}`), signal);
      figure('lab.boxAddMs', 'lab: `vagrant box add` of the chroot box (once per machine)', times.boxAddMs, 'ms');
      figure('lab.upMs', 'lab: `vagrant up` (libvirt, TCG) until it returns', times.upMs, 'ms', 'the first up copies the box into the libvirt pool');
      figure('lab.first200Ms', 'lab: `vagrant up` → first HTTP 200 for www.foobar.com', times.first200Ms, 'ms', 'the repository Vagrantfile in a netns with its own libvirtd; curl by name through the managed hosts block');
      figure('lab.warmFirst200Ms', 'lab: `vagrant up` → first 200 again after `vagrant destroy -f`', times.warmFirst200Ms ?? null, 'ms', 'the box volume is already in the pool');
    });

    await section('baseline C: provision at up', async () => {
      if (!base) throw new Error('no base disk (the base section failed)');
      const times = await provisionAtUp(spec, base.disk, (line) => log(`baseline C: ${line}`), signal);
      figure('atUp.first200Ms', 'baseline C: `vagrant up` of the plain base box provisioning the stack → first 200', times.first200Ms, 'ms', 'bench/baselines/provision-at-up.Vagrantfile: same scripts, run by shell provisioners at up');
      figure('atUp.upMs', 'baseline C: `vagrant up` with provisioning until it returns', times.upMs, 'ms');
    });

    await section('ha: deploy and failures', async () => {
      const box = boxes.chroot ?? path.join(benchDir, 'out-chroot', `${spec.name}-${spec.version}.libvirt.box`);
      const measured = await runHaBench(repoRoot, box, (line) => log(`ha: ${line}`));
      for (const [id, f] of Object.entries(measured)) figure(id, f.label, f.value, f.unit, f.note);
      const missing = Object.entries(measured).filter(([, f]) => f.value === null).map(([id]) => id);
      if (missing.length > 0) throw new Error(`not measured: ${missing.join(', ')}`);
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const ratios = {
    vmOverBare: ratioOf(figures, 'vm.buildMs', 'bare.buildMs', 'stack vm build / bare build'),
    chrootOverBare: ratioOf(figures, 'chroot.buildMs', 'bare.buildMs', 'stack chroot build / bare build'),
    chrootSpeedup: ratioOf(figures, 'vm.buildMs', 'chroot.buildMs', 'vm build / chroot build (chroot speed-up)'),
    prebuiltSpeedupVm: ratioOf(figures, 'atBoot.first200Ms', 'vm.boot.first200Ms', 'provision-at-boot / prebuilt vm box, to first 200'),
    prebuiltSpeedupChroot: ratioOf(figures, 'atBoot.first200Ms', 'chroot.boot.first200Ms', 'provision-at-boot / prebuilt chroot box, to first 200'),
    labSpeedup: ratioOf(figures, 'atUp.first200Ms', 'lab.first200Ms', '`vagrant up` → 200: provision-at-up / prebuilt box'),
  };
  machine.loadAverage.end = os.loadavg();
  const report: BenchReport = { machine, figures, ratios, targets: evaluateTargets(figures, ratios), errors, sections, ...(hardening ? { hardening } : {}) };
  await writeFile(path.join(benchDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${path.join(benchDir, 'report.json')} after ${((Date.now() - t0) / 60000).toFixed(1)} min`);
  process.stdout.write(formatReport(report));
}

main().then(
  () => { process.exitCode = Object.keys(errors).length > 0 ? 1 : 0; },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
