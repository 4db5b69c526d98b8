// `npm run bench:gpu`: the lab on whatever adapter Dawn finds, headless in Node (no browser), beside
// TensorFlow.js's webgpu backend on the same device in the same process, interleaved run by run:
//   matmul N×N×N per kernel (1024², 2048², 4096²), GFLOP/s and share of the adapter's fp32 peak
//   (peaks.ts), and whether each kernel's C has the register-blocked kernel's bits;
//   training samples/s of 784-64-10 at batch 128, 1024, 8192 and 784-1024-1024-10 at 1024 and 8192
//   (MNIST, Adam; the lab with kernel=auto, as a link runs it).
// Writes gpu-<time>.json and .md to --out (default bench/results) and prints the Markdown.
//   --small         tiny sizes for a CPU rasteriser (SwiftShader here: a few minutes, most of it compiling)
//   --budget-s S    stop starting measurements after S seconds (default 420; 240 with --small)
//   --rounds R      interleaved lab/TF.js rounds per training configuration (default 2; 1 with --small)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG, type RunConfig } from '../../src/core/config';
import { loadDataset } from '../../src/core/datasets';
import type { KernelsRecord, MetricRecord, TimingRecord } from '../../src/core/metrics';
import { readDataAsset } from '../../src/cli/csv-data';
import { requestNodeDevice } from '../../src/gpu/dawn';
import { adapterName } from '../../src/gpu/kernel-tuning';
import { runTraining } from '../../src/gpu/train-run';
import { benchMatmul, type MatmulRow } from './matmuls';
import { fp32Peak } from './peaks';
import { loadTfjs } from './tfjs';
import { markdownReport } from './report';

const ROOT = resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const small = args.includes('--small');
const budgetMs = Number(flag('--budget-s', small ? '240' : '420')) * 1000;
const rounds = Number(flag('--rounds', small ? '1' : '2'));
const outDir = resolve(flag('--out', join(ROOT, 'bench/results')));
const started = Date.now();
const left = () => budgetMs - (Date.now() - started);
const note = (line: string) => process.stderr.write(`[bench:gpu ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);

const SIZES = small ? [64] : [1024, 2048, 4096];
const TRAINING: { hidden: number[]; batch: number }[] = small
  ? [{ hidden: [64], batch: 32 }, { hidden: [64], batch: 128 }]
  : [
    { hidden: [64], batch: 128 }, { hidden: [64], batch: 1024 }, { hidden: [64], batch: 8192 },
    { hidden: [1024, 1024], batch: 1024 }, { hidden: [1024, 1024], batch: 8192 },
  ];
/** Timed steps per training measurement (after the lab's start-up, after TF.js's warm-up step): about 128k samples on a GPU. */
const stepsFor = (batch: number) => (small ? 6 : Math.max(48, Math.ceil(131072 / batch)));

export interface TrainingRow {
  model: string;
  batch: number;
  lab: number[];
  tfjs: number[];
  /** Which kernel the lab ran for each product (kernel=auto). */
  kernels: string;
}

const device = await requestNodeDevice();
const adapter = adapterName(device);
const peak = fp32Peak(adapter);
note(`adapter: ${adapter}${peak ? ` (fp32 peak ${peak.gflops / 1000} TFLOP/s as ${peak.name})` : ' (fp32 peak not in the table)'}`);
const dataset = await loadDataset('mnist', 1, readDataAsset);
const result = {
  date: new Date().toISOString(), adapter, peak, small, rounds, node: process.version, tfjs: '',
  matmul: [] as (MatmulRow & { tfjsGflops: number | null })[], training: [] as TrainingRow[], errors: [] as string[],
};
const stamp = result.date.replace(/[:.]/g, '-');
mkdirSync(outDir, { recursive: true });
const save = () => {
  writeFileSync(join(outDir, `gpu-${stamp}.json`), `${JSON.stringify(result, null, 1)}\n`);
  writeFileSync(join(outDir, `gpu-${stamp}.md`), markdownReport(result));
};
const attempt = async (what: string, run: () => Promise<void>) => {
  if (left() < 0) {
    result.errors.push(`${what}: skipped, out of the time budget`);
    return;
  }
  try {
    await run();
  } catch (e) {
    result.errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    note(`${what} failed: ${result.errors.at(-1)}`);
  }
  save();
};

const tfjs = await loadTfjs(ROOT, device, dataset);
result.tfjs = tfjs.version;

for (const n of SIZES) {
  await attempt(`matmul ${n}`, async () => {
    const rows = await benchMatmul(device, n, small ? 20 : 150, (r) => note(`matmul ${n}³ ${r.kernel}: ${r.gflops.toPrecision(3)} GFLOP/s${r.sameBits ? '' : ' (DIFFERENT BITS)'}`));
    const tfjsMs = await tfjs.matmulMs(n, small ? 20 : 150);
    note(`matmul ${n}³ TF.js: ${((2 * n ** 3) / (tfjsMs * 1e6)).toPrecision(3)} GFLOP/s`);
    result.matmul.push(...rows.map((r) => ({ ...r, tfjsGflops: (2 * n ** 3) / (tfjsMs * 1e6) })));
  });
}

/** The lab as a link runs it: training samples/s over training time (start-up and evaluations left out). */
async function labSamplesPerSec(hidden: number[], batch: number): Promise<{ samplesPerSec: number; kernels: KernelsRecord }> {
  // The first samples only, where fewer than an epoch make the steps wanted (--small).
  const n = Math.min(dataset.train.n, stepsFor(batch) * batch);
  const train = { x: dataset.train.x.subarray(0, n * dataset.inputs), y: dataset.train.y.subarray(0, n), n };
  const config: RunConfig = {
    ...DEFAULT_CONFIG, layers: hidden, batch, droplast: 1, epochs: Math.ceil(stepsFor(batch) / Math.floor(n / batch)), kernel: 'auto',
  };
  const records: MetricRecord[] = [];
  await runTraining({ device, config, dataset: { ...dataset, train }, emit: (r) => records.push(r) });
  const timing = records.filter((r): r is TimingRecord => r.type === 'timing').at(-1);
  const stopped = records.find((r) => r.type === 'stopped');
  if (!timing || stopped) throw new Error(`the lab's run did not finish${stopped && 'message' in stopped ? `: ${stopped.message}` : ''}`);
  return { samplesPerSec: timing.averageSamplesPerSec, kernels: records.find((r): r is KernelsRecord => r.type === 'kernels')! };
}

for (const { hidden, batch } of TRAINING) {
  const model = [dataset.inputs, ...hidden, dataset.classes].join('-');
  const row: TrainingRow = { model, batch, lab: [], tfjs: [], kernels: '' };
  for (let r = 0; r < rounds; r++) {
    await attempt(`train ${model} B=${batch} lab`, async () => {
      const lab = await labSamplesPerSec(hidden, batch);
      row.lab.push(lab.samplesPerSec);
      row.kernels = lab.kernels.products.map((p) => `${p.layer}:${p.product} ${p.kernel}`).join(', ');
      note(`train ${model} B=${batch} lab: ${lab.samplesPerSec.toFixed(0)} samples/s (${row.kernels})`);
    });
    await attempt(`train ${model} B=${batch} TF.js`, async () => {
      const t = await tfjs.trainSamplesPerSec(hidden, batch, stepsFor(batch));
      row.tfjs.push(t.samplesPerSec);
      note(`train ${model} B=${batch} TF.js: ${t.samplesPerSec.toFixed(0)} samples/s (loss ${t.firstLoss.toFixed(3)} → ${t.lastLoss.toFixed(3)})`);
    });
  }
  if (row.lab.length || row.tfjs.length) result.training.push(row);
  save();
}

save();
process.stdout.write(markdownReport(result));
note(`wrote ${join(outDir, `gpu-${stamp}`)}.json and .md`);
device.destroy();
process.exit(0);
