// What a single-device run allocates on its device against its memory plan (core/memory-plan.ts): every
// byte of createBuffer still live when the run ends, within 5% of the plan, with and without gradient
// accumulation and activation recomputation; recomputation plans, and allocates, less.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import { loadDataset } from '../core/datasets';
import { layerSizes, modelLayout } from '../core/model';
import { readAsset } from '../parallel/testing';
import { planMemory } from './memory';
import { countingDevice } from './testing';
import { runTraining } from './train-run';
import { EVAL_CHUNK } from './trainer';

/** Four dense layers, so recomputation keeps two segments' inputs and shares the rest. */
const CONFIG: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [256, 256, 256], lr: 0.01, batch: 768, epochs: 1, seed: 5 };

describe('one device\'s memory', () => {
  it('allocates its planned bytes within 5%, with accumulate 1 and 4 and recompute 0 and 1', async () => {
    const dataset = await loadDataset(CONFIG.dataset, CONFIG.seed, readAsset);
    const layout = modelLayout(layerSizes(CONFIG, dataset.inputs, dataset.classes));
    const totals: Record<string, number> = {};
    for (const accumulate of [1, 4]) {
      for (const recompute of [0, 1]) {
        const config = { ...CONFIG, accumulate, recompute };
        const live: number[] = [];
        const device = await countingDevice(live, 0);
        const last = await runTraining({ device, config, dataset, emit: () => {} });
        expect(last.type, JSON.stringify(last)).toBe('done');
        const maxRows = Math.max(Math.ceil(config.batch / accumulate), Math.min(EVAL_CHUNK, dataset.test.n));
        const plan = planMemory(layout, maxRows, dataset.train.n, dataset.test.n, { accumulate, recompute: recompute === 1 }).totalBytes;
        const what = `accumulate=${accumulate} recompute=${recompute}: allocated ${live[0]} B, planned ${plan} B`;
        expect(Math.abs(live[0] - plan) / plan, what).toBeLessThan(0.05);
        totals[`${accumulate}/${recompute}`] = plan;
        device.destroy();
      }
    }
    expect(totals['1/1']).toBeLessThan(totals['1/0']);
    // Micro-batches of 192 rows against 768: about a quarter of the activations (an evaluation chunk of the test set sets the floor).
    expect(totals['4/0']).toBeLessThan(totals['1/0']);
  });
});
