// `npm run bench`: the lab's kernels and training beside TensorFlow.js in the same Chromium page, the CLI
// on Dawn, data-parallel phase splits, and the lab page's responsiveness; prints a table, checks the
// targets (ratios, never absolute times), and writes everything to bench/results/<timestamp>.json.
// BENCH_ROUNDS (default 3) sets the interleaved rounds; the defaults fit about 10 minutes on SwiftShader.
// `npm run bench -- --page` measures only the lab page (a few minutes); `--baseline DIR` measures another
// build's folder beside it (e.g. an earlier commit's `vite build --outDir DIR`), interleaved run by run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serializeConfig } from '../src/core/config';
import { PRESETS } from '../src/core/presets';
import { cliThroughput, replicaSplit } from './cli-runs';
import { ALL_SHAPES, type MatmulResult } from './kernels';
import { labPages, launchChromium, sideBySide, type LabRun } from './page-runs';
import { buildReport, labReport, targetTable } from './report';

const ROOT = resolve(import.meta.dirname, '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const started = Date.now();
const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
const note = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
const args = process.argv.slice(2);
const baselineAt = args.indexOf('--baseline');
const baseline = baselineAt >= 0 ? args[baselineAt + 1] : undefined;
if (baselineAt >= 0 && !baseline) throw new Error('--baseline: give the folder of a built lab (vite build --outDir DIR)');

/** The lab page runs: one device, 4 replicas (data parallel), 4 pipeline stages with 8 micro-batches. */
const LAB_RUNS: LabRun[] = ['quick-mnist', 'data-parallel-4', 'pipeline-bubbles-8'].map((name) => ({
  name, hash: serializeConfig(PRESETS.find((p) => p.name === name)!.config),
}));
const LAB_PORT = 4192;
const LAB_WATCH_MS = 15_000;

function save(json: object): string {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}

if (args.includes('--page')) {
  const browser = await launchChromium();
  try {
    note(`Chromium: the built lab page${baseline ? ' beside the baseline build' : ''}, ${LAB_RUNS.map((r) => r.name).join(', ')}`);
    const lab = await labPages(browser, LAB_RUNS, LAB_PORT, LAB_WATCH_MS, rounds, baseline);
    const report = labReport(lab);
    const file = save({ date: new Date().toISOString(), lab, targets: report.targets });
    process.stdout.write(`${report.table}\n\nTargets\n${targetTable(report.targets)}\nFull numbers: ${file}\n`);
  } finally {
    await browser.close();
  }
  process.exit(0);
}

note('Dawn: matmul kernels and buffer copy');
const dawn = JSON.parse(execFileSync(process.execPath, [
  '--import', 'tsx', '--import', './src/cli/register-wgsl.js', 'bench/dawn-matmul.ts',
], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }).toString()) as {
  adapter: string; matmuls: MatmulResult[]; copyGBs: number;
};

note('CLI: quick-mnist at batch 128 and 1024, one device');
const cli = [await cliThroughput(128, 4, 120_000), await cliThroughput(1024, 2, 180_000)];
note('CLI: 2 and 4 replicas at batch 128');
const replicas = [await replicaSplit(2, 128, 12, 3, 120_000), await replicaSplit(4, 128, 12, 3, 150_000)];

const browser = await launchChromium();
try {
  note('Chromium: lab and TensorFlow.js side by side');
  const page = await sideBySide(browser, {
    shapes: ALL_SHAPES, matmulSamples: 1, sampleMs: 150, rounds,
    train: [{ batch: 128, steps: 8 }, { batch: 1024, steps: 2 }], copyBytes: 16 << 20,
  }, 4191);
  note('Chromium: the built lab page');
  const lab = await labPages(browser, LAB_RUNS, LAB_PORT, LAB_WATCH_MS, rounds, baseline);
  const report = buildReport({ dawn, cli, replicas, page, lab, rounds, seconds: (Date.now() - started) / 1000 });
  const file = save(report.json);
  process.stdout.write(`${report.table}\nFull numbers: ${file}\n`);
} finally {
  await browser.close();
}
