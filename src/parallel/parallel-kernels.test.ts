// The kernel config key in parallel runs, on Dawn with worker threads as the CLI runs them: 2 replicas and a
// 2-stage pipeline end with kernel=blocked's weights checksum with kernel=auto and with a tiled kernel forced.
// Each worker chooses for its own shapes and reports its kernels record under its name; replicas with the
// same shapes on one adapter take turns on the cache file, so the second finds the first's measurement.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { nodeMemberHost } from '../cli/node-replicas';
import { DEFAULT_CONFIG, type KernelChoice, type RunConfig } from '../core/config';
import type { KernelsRecord, MetricRecord } from '../core/metrics';
import { startRun } from './start-run';

const SPIRAL: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [16, 16], lr: 0.01, batch: 32, epochs: 1, seed: 3 };

async function train(config: RunConfig, kernel: KernelChoice): Promise<{ sha: string; kernels: KernelsRecord[] }> {
  const records: MetricRecord[] = [];
  const run = await startRun({ config: { ...config, kernel }, env: nodeMemberHost(), emit: (r) => records.push(r) });
  const last = await run.finished;
  expect(last, JSON.stringify(last)).toMatchObject({ type: 'done' });
  const kernels = records.filter((r): r is KernelsRecord => r.type === 'kernels').sort((a, b) => a.worker!.rank - b.worker!.rank);
  return { sha: last.type === 'done' ? last.weightsSha256 : '', kernels };
}

const layersOf = (r: KernelsRecord) => r.products.map((p) => `${p.layer} ${p.product} ${p.shape}`);

beforeEach(() => {
  // The threads' cache file (they read the variable when they start): a fresh one per test, so its first auto run measures.
  process.env.LAB_KERNEL_CACHE = join(mkdtempSync(join(tmpdir(), 'lab-parallel-kernels-')), 'kernels.json');
});

describe('kernel choice in parallel runs', () => {
  it('2 replicas: auto (one replica measures, the other reads its choice) and tile64-4 end with kernel=blocked\'s weights', async () => {
    const config: RunConfig = { ...SPIRAL, mode: 'data', replicas: 2 };
    const blocked = await train(config, 'blocked');
    expect(blocked.kernels.map((r) => [r.worker!.name, r.source])).toEqual([['replica 0', 'forced'], ['replica 1', 'forced']]);
    const auto = await train(config, 'auto');
    expect(auto.kernels.map((r) => r.source).sort()).toEqual(['cached', 'measured']);
    // Each replica's shard of 16 rows of 2-16-16-3.
    for (const r of auto.kernels) expect(layersOf(r)).toEqual(['1 forward 16×16×2', '1 dW 2×16×16', '2 forward 16×16×16', '2 dW 16×16×16', '2 dX 16×16×16', '3 forward 16×3×16', '3 dW 16×3×16', '3 dX 16×16×3']);
    expect(auto.kernels[0].products.map((p) => p.kernel)).toEqual(auto.kernels[1].products.map((p) => p.kernel));
    expect(auto.sha).toBe(blocked.sha);
    const tiled = await train(config, 'tile64-4');
    expect(tiled.kernels.every((r) => r.products.every((p) => p.kernel === 'tile64-4'))).toBe(true);
    expect(tiled.sha).toBe(blocked.sha);
  });

  it('2 pipeline stages: each chooses for its own layers (the second stage\'s first dX included); auto and tile64-4 end with kernel=blocked\'s weights', async () => {
    const config: RunConfig = { ...SPIRAL, mode: 'pipeline', stages: 2, microbatches: 2 };
    const blocked = await train(config, 'blocked');
    const auto = await train(config, 'auto');
    expect(auto.kernels.map((r) => [r.worker!.name, r.source])).toEqual([['stage 0', 'measured'], ['stage 1', 'measured']]);
    // Micro-batches of 16 rows; layers 1 and 2 on stage 0, layer 3 (numbered as in the whole model) on stage 1,
    // whose dX goes back to stage 0.
    expect(auto.kernels.map(layersOf)).toEqual([
      ['1 forward 16×16×2', '1 dW 2×16×16', '2 forward 16×16×16', '2 dW 16×16×16', '2 dX 16×16×16'],
      ['3 forward 16×3×16', '3 dW 16×3×16', '3 dX 16×16×3'],
    ]);
    expect(auto.sha).toBe(blocked.sha);
    const tiled = await train(config, 'tile64-4');
    expect(tiled.kernels.map((r) => r.source)).toEqual(['forced', 'forced']);
    expect(tiled.kernels.flatMap((r) => r.products).every((p) => p.kernel === 'tile64-4')).toBe(true);
    expect(tiled.sha).toBe(blocked.sha);
  });
});
