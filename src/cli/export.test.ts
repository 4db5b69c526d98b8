// The CLI's exports checked against tools nobody here wrote: one epoch of quick-mnist on 2 replicas,
// its TensorFlow.js export loaded by @tensorflow/tfjs (cpu backend), and its PyTorch DDP export run on
// 2 ranks launched by hand over gloo (where a Python with torch exists; skipped, saying so, elsewhere);
// a learning-rate schedule with gradient accumulation on the spiral, and local SGD on label shards of a CSV set, exported and run the same way.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DDP_FILES } from '../core/codegen';
import { loadDataset } from '../core/datasets';
import { comparePredictions, loadTfjsFolder } from '../core/export-testing';
import { TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE, tfjsImport } from '../core/export-tfjs';
import { sha256Hex } from '../core/checksum';
import type { DoneRecord, EvalRecord, MetricRecord, ShardRecord, StepRecord } from '../core/metrics';
import { layerSizes, modelLayout } from '../core/model';
import { findPreset } from '../core/presets';
import { predictRef } from '../core/reference';
import { DATA_DIR } from './prepare-data';
import { labRunWithExport, runRanks as runScript, torchPython } from './torch-testing';

const NODE_ARGS = ['--import', 'tsx', '--import', './src/cli/register-wgsl.js', 'src/cli/train.ts'];
const CONFIG = { ...findPreset('quick-mnist')!.config, replicas: 2, epochs: 1 };

const python = torchPython();
if (!python) console.log('No Python with torch (and gloo) here: the PyTorch DDP comparison is skipped. Debian: apt-get install python3-torch.');

const tfjsDir = mkdtempSync(join(tmpdir(), 'lab-tfjs-'));
const ddpDir = mkdtempSync(join(tmpdir(), 'lab-ddp-'));
let lab: MetricRecord[] = [];

/** The exported script in `dir` on `world` gloo ranks: rank 0's records. */
const runRanks = (dir: string, world: number) => runScript(python!, dir, world);

const ofType = <T extends MetricRecord>(records: MetricRecord[], type: T['type']) => records.filter((r): r is T => r.type === type);

beforeAll(() => {
  const r = spawnSync(process.execPath, [
    ...NODE_ARGS, '--preset', 'quick-mnist', '--set', 'replicas=2', '--set', 'epochs=1', '--json', '--export', tfjsDir, '--export-ddp', ddpDir,
  ], { encoding: 'utf8', timeout: 300_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/TensorFlow.js export \(\d+ bytes\)/);
  lab = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as MetricRecord);
  expect(ofType<StepRecord>(lab, 'step')).toHaveLength(71);
}, 300_000);

describe('--export: TensorFlow.js Layers', () => {
  it('predicts the MNIST test set like the lab (max abs difference under 1e-5, the same accuracy)', async () => {
    await tf.setBackend('cpu');
    const dataset = await loadDataset('mnist', 1, async (f) => new Uint8Array(readFileSync(join(DATA_DIR, f))));
    const { x, n } = dataset.test;
    const model = await loadTfjsFolder(tfjsDir);
    const probs = await (model.predict(tf.tensor2d(x, [n, dataset.inputs])) as tf.Tensor).data();
    const layout = modelLayout(layerSizes(CONFIG, dataset.inputs, dataset.classes));
    const params = await tfjsImport(layout, readFileSync(join(tfjsDir, TFJS_MODEL_FILE), 'utf8'), async (p) => readFileSync(join(tfjsDir, p)));
    const { maxAbs } = comparePredictions(probs, predictRef(layout, params, x, n), dataset.classes);
    expect(maxAbs).toBeLessThan(1e-5);
    let correct = 0;
    for (let r = 0; r < n; r++) {
      const row = probs.subarray(r * 10, r * 10 + 10);
      if (row.indexOf(Math.max(...row)) === dataset.test.y[r]) correct++;
    }
    expect(correct / n).toBe(ofType<DoneRecord>(lab, 'done')[0].testAccuracy);
  });

  it('writes the final weights exactly: the weight file\'s SHA-256 is the run\'s weightsSha256', async () => {
    const weights = readFileSync(join(tfjsDir, TFJS_WEIGHTS_FILE));
    expect(await sha256Hex(weights)).toBe(ofType<DoneRecord>(lab, 'done')[0].weightsSha256);
  });
});

describe('--export-ddp: PyTorch DDP', () => {
  it('ships the exact per-rank sample order the lab trained on', () => {
    const bytes = readFileSync(join(ddpDir, DDP_FILES.order));
    const words = new Uint32Array(bytes.buffer.slice(bytes.byteOffset + 8, bytes.byteOffset + bytes.length));
    const [, epochs, steps, world] = words;
    expect([epochs, steps, world]).toEqual([1, 71, 2]);
    const counts = words.subarray(4, 4 + steps * world);
    let at = 4 + steps * world;
    for (const shard of ofType<ShardRecord>(lab, 'shard')) {
      for (let k = 0; k < world; k++) {
        const count = counts[(shard.step - 1) * world + k];
        expect(Array.from(words.subarray(at, at + count))).toEqual(shard.ids[k]);
        at += count;
      }
    }
    expect(at).toBe(words.length);
  });

  it.skipIf(!python)('trains on 2 ranks (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, gloo) like the lab', async () => {
    const torch = await runRanks(ddpDir, 2);
    const labSteps = ofType<StepRecord>(lab, 'step');
    const torchSteps = ofType<StepRecord>(torch, 'step');
    expect(torchSteps.map((s) => s.step)).toEqual(labSteps.map((s) => s.step));
    const relative = labSteps.slice(0, 50).map((s, i) => Math.abs(torchSteps[i].loss - s.loss) / Math.abs(s.loss));
    const labAccuracy = ofType<EvalRecord>(lab, 'eval')[0].testAccuracy;
    const torchAccuracy = ofType<EvalRecord>(torch, 'eval')[0].testAccuracy;
    console.log(`PyTorch DDP vs lab, first 50 steps: max relative loss difference ${Math.max(...relative).toExponential(2)}; `
      + `test accuracy lab ${(100 * labAccuracy).toFixed(2)}%, PyTorch ${(100 * torchAccuracy).toFixed(2)}%`);
    expect(Math.max(...relative)).toBeLessThan(1e-4);
    expect(Math.abs(torchAccuracy - labAccuracy)).toBeLessThan(0.005);
    expect(ofType<DoneRecord>(torch, 'done')[0].steps).toBe(71);
  });

  it.skipIf(!python)('schedules the learning rate as the lab does (warm-up, then cosine decay) with LambdaLR, and accumulates with no_sync', async () => {
    const { records, dir } = labRunWithExport(['dataset=spiral', 'layers=16', 'batch=40', 'epochs=2', 'replicas=2', 'lr=0.02', 'warmup=6', 'lrschedule=cosine', 'accumulate=4']);
    const labSteps = ofType<StepRecord>(records, 'step');
    const torchSteps = ofType<StepRecord>(await runRanks(dir, 2), 'step');
    expect(torchSteps).toHaveLength(40);
    expect(labSteps.slice(0, 7).map((s) => s.lr)).toEqual([1, 2, 3, 4, 5, 6, 6].map((k) => (0.02 * k) / 6));
    labSteps.forEach((s, i) => {
      expect(torchSteps[i].lr, `step ${s.step}`).toBeCloseTo(s.lr, 15);
      expect(Math.abs(torchSteps[i].loss - s.loss) / s.loss, `step ${s.step}`).toBeLessThan(1e-5);
    });
  });

  it.skipIf(!python)('reproduces local SGD on label shards with momentum, on a CSV set', async () => {
    const csv = join(ddpDir, '..', `${process.pid}-blobs.csv`);
    const rows = ['f1,f2,label'];
    for (let i = 0; i < 200; i++) rows.push(`${(i % 4) + 0.4 * Math.sin(i)},${0.4 * Math.cos(i * 3)},${i % 4}`);
    writeFileSync(csv, rows.join('\n'));
    const dir = mkdtempSync(join(tmpdir(), 'lab-ddp-local-'));
    const r = spawnSync(process.execPath, [
      ...NODE_ARGS, '--data', csv, '--set', 'layers=8', '--set', 'epochs=2', '--set', 'batch=20', '--set', 'replicas=2', '--set', 'shard=label',
      '--set', 'sync=3', '--set', 'optimizer=momentum', '--set', 'lr=0.05', '--json', '--export-ddp', dir,
    ], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const local = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as MetricRecord);
    const torch = await runRanks(dir, 2);
    const labSteps = ofType<StepRecord>(local, 'step');
    const torchSteps = ofType<StepRecord>(torch, 'step');
    expect(torchSteps).toHaveLength(2 * (180 / 20));
    labSteps.forEach((s, i) => expect(Math.abs(torchSteps[i].loss - s.loss) / s.loss).toBeLessThan(1e-4));
    expect(ofType<EvalRecord>(torch, 'eval').map((e) => e.testAccuracy)).toEqual(ofType<EvalRecord>(local, 'eval').map((e) => e.testAccuracy));
  });
});
