// `npm run bench`: the lab's kernels and training beside TensorFlow.js in the same Chromium page, the CLI
// on Dawn, data-parallel phase splits, and the lab page's responsiveness; prints a table, checks the
// targets (ratios, never absolute times), and writes everything to bench/results/<timestamp>.json.
// BENCH_ROUNDS (default 3) sets the interleaved rounds; the defaults fit about 10 minutes on SwiftShader.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cliThroughput, replicaSplit } from './cli-runs';
import { ALL_SHAPES, type MatmulResult } from './kernels';
import { labPage, launchChromium, sideBySide } from './page-runs';
import { buildReport } from './report';

const ROOT = resolve(import.meta.dirname, '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const started = Date.now();
const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
const note = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);

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
  note('Chromium: the built lab page, autostarted quick-mnist');
  const lab = await labPage(browser, 'v=1&dataset=mnist&layers=64&optimizer=adam&lr=0.001&batch=128&epochs=3&seed=1', 4192, 15_000);
  const report = buildReport({ dawn, cli, replicas, page, lab, rounds, seconds: (Date.now() - started) / 1000 });
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report.json, null, 2)}\n`);
  process.stdout.write(`${report.table}\nFull numbers: ${file}\n`);
} finally {
  await browser.close();
}
