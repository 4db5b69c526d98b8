// The bench's table and target checks, from the raw numbers of its parts; the JSON keeps every sample.
import type { CliThroughput, ReplicaSplit } from './cli-runs';
import { ALL_SHAPES, flops, median, type MatmulResult } from './kernels';
import type { PageResult } from './page/main';
import type { LabPagesResult } from './page-runs';

export interface BenchInputs {
  dawn: { adapter: string; matmuls: MatmulResult[]; copyGBs: number };
  cli: CliThroughput[];
  replicas: ReplicaSplit[];
  page: PageResult;
  lab: LabPagesResult;
  rounds: number;
  seconds: number;
}

/** Matmul FLOPs of one training sample of MNIST 784-64-10: forward X·W, dW = Xᵀ·δ, and dX for layers after the first. */
export const TRAIN_FLOPS_PER_SAMPLE = (() => {
  const layers = [[784, 64], [64, 10]];
  return layers.reduce((sum, [i, o], l) => sum + 2 * i * o * (l === 0 ? 2 : 3), 0);
})();

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

/** The lab page's targets, from the current build's first run (quick-mnist). */
function labTargets(lab: LabPagesResult): Target[] {
  const now = lab.builds[0];
  const run = now.runs[0];
  return [
    { name: 'first step shown after navigation', target: '≤ 3000 ms', measured: `${fmt(run.firstStepMs, 0)} ms (step ${run.firstStepShown})`, met: run.firstStepMs <= 3000 },
    { name: 'longest main-thread task while training', target: '≤ 50 ms', measured: run.longTasks ? `${fmt(run.longestTaskMs, 0)} ms (${run.longTasks} over 50 ms)` : 'none over 50 ms', met: run.longTasks === 0 },
    // What a visit loads before the page renders; the lazy chunks and workers follow when used (all files: the second figure).
    {
      name: 'JavaScript loaded at start, gzipped', target: '≤ 300 KB',
      measured: `${fmt(now.startJsGzipBytes / 1024, 1)} KB (all ${now.jsFiles} files: ${fmt(now.jsGzipBytes / 1024, 1)} KB)`, met: now.startJsGzipBytes <= 300 * 1024,
    },
  ];
}

export const targetTable = (targets: Target[]): string => table(['target', 'wanted', 'measured', 'met'], targets.map((t) => [t.name, t.target, t.measured, t.met ? 'yes' : 'NO']));

/** The lab page's table (each run of each build, medians over the rounds) and its targets. */
export function labReport(lab: LabPagesResult): { table: string; targets: Target[] } {
  const rows = lab.builds.flatMap((b) => b.runs.map((r) => [
    r.name, b.build, `${fmt(r.firstStepMs, 0)} ms (step ${r.firstStepShown})`,
    r.longTasks ? `${fmt(r.longestTaskMs, 0)} ms` : 'none over 50 ms', fmt(r.longTasks, 0), `${fmt(b.startJsGzipBytes / 1024, 1)} KB`, `${fmt(b.jsGzipBytes / 1024, 1)} KB`,
  ]));
  const text = [
    `The lab page (built site, autostart links; medians of ${lab.rounds} page loads, the main thread watched for ${lab.watchedMs / 1000} s after the first step)`,
    table(['run', 'build', 'first step shown', 'longest main-thread task', 'tasks over 50 ms', 'JS at start, gzipped', 'all JS, gzipped'], rows),
  ].join('\n');
  return { table: text, targets: labTargets(lab) };
}

export function buildReport(input: BenchInputs): { table: string; json: object } {
  const { dawn, cli, replicas, page, lab } = input;
  const gf = (name: string, ms: number) => flops(ALL_SHAPES.find((s) => s.name === name)!) / (ms * 1e6);
  const matmulRows = page.matmulMs.map((m) => {
    const lab = gf(m.name, median(m.lab));
    const tf = gf(m.name, median(m.tf));
    const dawnOf = (kernel: string) => dawn.matmuls.find((x) => x.shape === m.name && x.variant === kernel)?.gflops ?? NaN;
    return { shape: m.name, dawnScalar: dawnOf('matmul.wgsl'), dawnVec4: dawnOf('matmul_vec4.wgsl'), lab, tf, ratio: lab / tf };
  });
  const bestPage = Math.max(...matmulRows.map((r) => r.lab));
  const bestDawn = Math.max(...dawn.matmuls.map((r) => r.gflops));
  const trainRows = page.trainSamplesPerSec.map((t) => {
    const lab = median(t.lab);
    const tf = median(t.tf);
    const rate = (lab * TRAIN_FLOPS_PER_SAMPLE) / 1e9;
    return { batch: t.batch, lab, tf, ratio: lab / tf, cli: cli.find((c) => c.batch === t.batch)?.samplesPerSec ?? NaN, gflops: rate, ofBest: rate / bestPage };
  });
  const r4 = replicas.find((r) => r.replicas === 4);
  const ratioAt = (shape: string) => matmulRows.find((r) => r.shape === shape)?.ratio ?? NaN;
  const trainAt = (batch: number) => trainRows.find((r) => r.batch === batch)!;
  const targets: Target[] = [
    { name: 'training vs TF.js, batch 128', target: '≥ 2.5×', measured: `${fmt(trainAt(128).ratio, 2)}×`, met: trainAt(128).ratio >= 2.5 },
    { name: 'training vs TF.js, batch 1024', target: '≥ 1.5×', measured: `${fmt(trainAt(1024).ratio, 2)}×`, met: trainAt(1024).ratio >= 1.5 },
    { name: 'matmul vs TF.js, 512²', target: '≥ 1.5×', measured: `${fmt(ratioAt('512²'), 2)}×`, met: ratioAt('512²') >= 1.5 },
    { name: 'matmul vs TF.js, 1024²', target: '≥ 1.5×', measured: `${fmt(ratioAt('1024²'), 2)}×`, met: ratioAt('1024²') >= 1.5 },
    ...trainRows.map((t) => ({ name: `training FLOP rate / best matmul, batch ${t.batch}`, target: '≥ 70%', measured: pct(t.ofBest), met: t.ofBest >= 0.7 })),
    { name: 'all-reduce + readback at 4 replicas', target: '≤ 15% of step', measured: r4 ? pct(r4.commShare) : 'n/a', met: !!r4 && r4.commShare <= 0.15 },
    ...labTargets(lab),
  ];

  const text = [
    `WebGPU Training Lab benchmark: ${input.rounds} interleaved rounds (lab, tf, lab, tf, …), medians; ${fmt(input.seconds, 0)} s`,
    `Chromium adapter: ${page.lab} | ${page.tf} | Dawn adapter: ${dawn.adapter}`,
    '',
    'Matmul, GFLOP/s',
    table(['shape', 'matmul.wgsl (Dawn)', 'matmul_vec4.wgsl (Dawn)', 'lab (page)', 'TF.js (page)', 'lab / TF.js'],
      matmulRows.map((r) => [r.shape, fmt(r.dawnScalar), fmt(r.dawnVec4), fmt(r.lab), fmt(r.tf), `${fmt(r.ratio, 2)}×`])),
    '',
    'Ceilings as measured',
    table(['', 'Dawn', 'page'], [
      ['best lab matmul, GFLOP/s', fmt(bestDawn), fmt(bestPage)],
      ['buffer copy, GB/s (read + write)', fmt(dawn.copyGBs, 2), fmt(page.copyGBs, 2)],
    ]),
    '',
    `Training quick-mnist (784-64-10, Adam, sparse CE), one device, samples/s; ${TRAIN_FLOPS_PER_SAMPLE} matmul FLOPs per sample;`
      + ` kernels per step: lab 8, TF.js ${page.tfKernelsPerStep}`,
    table(['batch', 'lab (page worker)', 'TF.js (page)', 'lab / TF.js', 'lab (CLI, Dawn)', 'step GFLOP/s', 'of best matmul'],
      trainRows.map((t) => [t.batch, fmt(t.lab, 0), fmt(t.tf, 0), `${fmt(t.ratio, 2)}×`, fmt(t.cli, 0), fmt(t.gflops), pct(t.ofBest)])),
    '',
    'Data parallel (CLI, batch 128), per-step medians of the replicas\' mean, ms',
    table(['replicas', 'clock', 'compute', 'readback', 'all-reduce', 'update', 'step', 'all-reduce + readback'],
      replicas.map((r) => [r.replicas, r.clock, fmt(r.phases.computeMs, 1), fmt(r.phases.readbackMs, 1), fmt(r.phases.allreduceMs, 1),
        fmt(r.phases.updateMs, 1), fmt(r.stepMs, 1), pct(r.commShare)])),
    '',
    labReport(lab).table,
    '',
    'Targets',
    targetTable(targets),
  ].join('\n');
  return {
    table: text,
    json: { date: new Date().toISOString(), ...input, summary: { matmulRows, trainRows, bestPageGflops: bestPage, bestDawnGflops: bestDawn, targets } },
  };
}
