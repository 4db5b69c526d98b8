// The training loop end to end on Dawn: determinism of the checksum, metric records, falling loss, an
// exact resume through a learning-rate schedule, stopping on a diverged loss at the last good state, the rising-loss warning, pause/stop control, and
// refusing a model over the device limits.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import { twoDDataset } from '../core/datasets';
import type { MetricRecord } from '../core/metrics';
import { modelLayout } from '../core/model';
import { checkMemory, planMemory } from './memory';
import { testContext } from './testing';
import { RunSwitch, runTraining, type TrainingState } from './train-run';

const XOR: RunConfig = { ...DEFAULT_CONFIG, dataset: 'xor', layers: [8], lr: 0.05, batch: 16, epochs: 2, seed: 3 };

async function train(config: RunConfig, control?: RunSwitch, dataset = twoDDataset('xor', config.seed)) {
  const { device } = await testContext();
  const records: MetricRecord[] = [];
  const last = await runTraining({ device, config, dataset, control, emit: (r) => records.push(r) });
  return { records, last };
}

const steps = (records: MetricRecord[]) => records.filter((r) => r.type === 'step');

describe('runTraining', () => {
  it('trains xor: loss falls, every step reported in order, one eval per epoch, same checksum twice', async () => {
    const a = await train(XOR);
    const b = await train(XOR);
    const stepRecords = steps(a.records);
    expect(stepRecords.map((r) => r.step)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(a.records.filter((r) => r.type === 'eval').map((r) => r.epoch)).toEqual([1, 2]);
    const firstLoss = stepRecords.slice(0, 5).reduce((s, r) => s + r.loss, 0) / 5;
    const lastLoss = stepRecords.slice(-5).reduce((s, r) => s + r.loss, 0) / 5;
    expect(lastLoss).toBeLessThan(firstLoss / 2);
    expect(a.last.type).toBe('done');
    if (a.last.type !== 'done' || b.last.type !== 'done') return;
    expect(a.last.testAccuracy).toBeGreaterThan(0.9);
    expect(a.last.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.last.weightsSha256).toBe(a.last.weightsSha256);
  });

  it('resumes a warm-up and cosine decay (accumulating 2 micro-batches) at the saved step: the same rates and checksum', async () => {
    const config: RunConfig = { ...XOR, warmup: 20, lrschedule: 'cosine', accumulate: 2 };
    const dataset = twoDDataset('xor', config.seed);
    const { device } = await testContext();
    const run = async (resumeFrom?: TrainingState) => {
      const saved: TrainingState[] = [];
      const records: MetricRecord[] = [];
      const last = await runTraining({ device, config, dataset, resumeFrom, emit: (r) => records.push(r), checkpoint: { every: 60, save: async (state) => { saved.push(state); } } });
      return { saved, records, last };
    };
    const whole = await run();
    const at60 = whole.saved.find((s) => s.step === 60)!;
    const resumed = await run(at60);
    const rates = (records: MetricRecord[]) => steps(records).flatMap((r) => (r.type === 'step' ? [[r.step, r.lr]] : []));
    expect(rates(resumed.records)).toEqual(rates(whole.records).slice(60));
    expect(rates(whole.records)[19]).toEqual([20, 0.05]);
    expect(whole.last.type === 'done' && resumed.last.type === 'done' && resumed.last.weightsSha256 === whole.last.weightsSha256).toBe(true);
  });

  it('a different seed gives a different checksum', async () => {
    const a = await train({ ...XOR, epochs: 1 });
    const b = await train({ ...XOR, epochs: 1, seed: 4 });
    expect(a.last.type === 'done' && b.last.type === 'done' && a.last.weightsSha256 !== b.last.weightsSha256).toBe(true);
  });

  it('stops on a NaN loss with the step and what to change, keeping the metrics so far', async () => {
    const dataset = twoDDataset('xor', 3);
    // One poisoned sample: the batch that holds it has a NaN loss (no hidden layer, so no ReLU
    // can turn the NaN into a zero).
    dataset.train.x[2 * 100] = NaN;
    const { records, last } = await train({ ...XOR, layers: [], epochs: 1 }, undefined, dataset);
    expect(last.type).toBe('stopped');
    if (last.type !== 'stopped') return;
    expect(last.reason).toBe('diverged');
    const at = last.divergedAt!;
    expect(last.message).toMatch(new RegExp(`^loss diverged at step ${at} \\(NaN\\): .*lower the learning rate, e\\.g\\. to 0\\.005`));
    expect(last.step).toBeLessThanOrEqual(at - 3);
    expect(steps(records).map((r) => r.step)).toEqual(Array.from({ length: at - 1 }, (_, i) => i + 1));
  });

  it('a diverging run keeps its last verified-good state, the one an uninterrupted run had there, and resumes gently', async () => {
    // Eight ReLU layers with momentum at lr 0.3: the weights blow up to NaN within a dozen steps.
    const config: RunConfig = { ...DEFAULT_CONFIG, dataset: 'gauss', layers: Array(8).fill(32), optimizer: 'momentum', lr: 0.3, batch: 16, epochs: 3 };
    const dataset = twoDDataset('gauss', config.seed);
    const { device } = await testContext();
    const run = async (every: number, resumeFrom?: TrainingState, lr = config.lr) => {
      const saved: TrainingState[] = [];
      const records: MetricRecord[] = [];
      const last = await runTraining({
        device, config: { ...config, lr }, dataset, resumeFrom, emit: (r) => records.push(r),
        checkpoint: { every, save: async (state) => { saved.push(state); } },
      });
      return { saved, records, last };
    };
    const diverged = await run(1_000_000);
    const { last } = diverged;
    expect(last.type).toBe('stopped');
    if (last.type !== 'stopped') return;
    expect(last.reason).toBe('diverged');
    const at = last.divergedAt!;
    const kept = diverged.saved.at(-1)!;
    expect(kept.step).toBe(last.step);
    expect(kept.step).toBeGreaterThan(0);
    expect(kept.step).toBeLessThanOrEqual(at - 3);
    expect(last.message).toMatch(new RegExp(`^loss diverged at step ${at} \\((NaN|-?Infinity)\\): the updates before it .*learning rate 0\\.3`));
    expect(last.message).toContain(`after step ${kept.step}, the last verified good, are kept: lower the learning rate, e.g. to 0.03, and resume`);
    for (const v of [kept.params, kept.m, kept.v]) expect(v.every(Number.isFinite)).toBe(true);
    // The metrics go up to the step before the divergence.
    expect(steps(diverged.records).at(-1)!.step).toBe(at - 1);

    // The same run saving its state at the kept step: bit for bit the same weights and optimizer state.
    const clean = (await run(kept.step)).saved.find((s) => s.step === kept.step)!;
    expect(Buffer.from(kept.params.buffer).equals(Buffer.from(clean.params.buffer))).toBe(true);
    expect(Buffer.from(kept.m.buffer).equals(Buffer.from(clean.m.buffer))).toBe(true);
    expect(Buffer.from(kept.v.buffer).equals(Buffer.from(clean.v.buffer))).toBe(true);

    const resumed = await run(1_000_000, kept, 0.03);
    expect(resumed.last.type).toBe('done');
    expect(steps(resumed.records)[0].step).toBe(kept.step + 1);
    expect(steps(resumed.records).every((r) => Number.isFinite(r.loss))).toBe(true);
  });

  it('warns once when the loss climbs far above its start, and trains on', async () => {
    const { records, last } = await train({ ...XOR, optimizer: 'sgd', lr: 10, layers: [64, 64], epochs: 1 });
    expect(last.type).toBe('done');
    const warnings = records.filter((r) => r.type === 'warning');
    expect(warnings).toHaveLength(1);
    const first = steps(records)[0].loss;
    const at = steps(records).find((r) => r.step === warnings[0].step)!;
    expect(at.loss).toBeGreaterThan(10 * first);
    expect(warnings[0].message).toMatch(/over 10× the first loss .*learning rate 10 may be too high\. Training goes on/);
  });

  it('pauses, steps once, snapshots, resumes and stops on request', async () => {
    const control = new RunSwitch();
    const { device } = await testContext();
    const records: MetricRecord[] = [];
    let paused = false;
    const done = runTraining({
      device, config: { ...XOR, epochs: 20 }, dataset: twoDDataset('xor', 3), control,
      emit: (r) => {
        records.push(r);
        if (r.type === 'step' && r.step === 20 && !paused) {
          paused = true;
          control.pause();
        }
      },
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    while (!control.isHolding) await sleep(20);
    const whilePaused = steps(records).length;
    await sleep(600);
    expect(steps(records).length).toBe(whilePaused);
    expect(whilePaused).toBeGreaterThanOrEqual(20);
    control.stepOnce();
    while (steps(records).length === whilePaused || !control.isHolding) await sleep(20);
    expect(steps(records).length).toBe(whilePaused + 1);
    const snap = await control.snapshot();
    expect(snap?.step).toBe(whilePaused + 1);
    expect(snap?.params.length).toBeGreaterThan(0);
    control.resume();
    await new Promise((resolve) => setTimeout(resolve, 100));
    control.stop();
    const last = await done;
    expect(last.type).toBe('stopped');
    if (last.type === 'stopped') expect(last.reason).toBe('user');
    expect(steps(records).length).toBeGreaterThanOrEqual(whilePaused);
    expect(steps(records).length).toBeLessThan(20 * 50);
  });

  it('refuses a config over the device limits before allocating, naming the limit', () => {
    const layout = modelLayout([784, 4096, 4096, 10]);
    const plan = planMemory(layout, 8192, 9000, 1000);
    const limits = { maxStorageBufferBindingSize: 100 * 1024 ** 2, maxBufferSize: 256 * 1024 ** 2 } as GPUSupportedLimits;
    expect(() => checkMemory(plan, limits)).toThrow(/activations 1 needs 128\.0 MiB.*maxStorageBufferBindingSize/);
    const small = planMemory(modelLayout([784, 64, 10]), 32, 9000, 1000);
    expect(() => checkMemory(small, limits)).not.toThrow();
  });

  it('refuses a batch larger than the training set', async () => {
    await expect(train({ ...XOR, batch: 5000 })).rejects.toThrow(/batch: must be at most the training set size 800/);
  });
});
