// Model parallelism on Dawn with real worker threads (as the CLI runs it): pipeline (GPipe and 1F1B,
// several stage and micro-batch counts) and tensor parallelism train exactly like one device with the
// same global batch and seed: every step's loss and the final parameters within 1e-5 relative, with a
// short last batch and with droplast=1 too. A worker killed mid-run, and a run resumed from a checkpoint,
// end with the uninterrupted run's checksum.
import { describe, expect, it } from 'vitest';
import { nodeMemberHost } from '../cli/node-replicas';
import type { Member } from './members';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import type { DoneRecord, MetricRecord, StagesRecord, StepRecord, StoppedRecord } from '../core/metrics';
import { bubbleTheory } from '../core/model-parallel';
import type { TrainingState } from '../gpu/train-run';
import { relativeError } from '../gpu/testing';
import { startModelParallel } from './model-coordinator';
import { trainOneDevice } from './testing';

const BASE: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [16, 16, 16], lr: 0.01, batch: 32, epochs: 1, seed: 9 };

async function modelParallel(config: RunConfig, options: Partial<Parameters<typeof startModelParallel>[0]> = {}) {
  const records: MetricRecord[] = [];
  const run = await startModelParallel({ config, env: nodeMemberHost(), ...options, emit: (r) => { records.push(r); options.emit?.(r); } });
  const last = await run.finished;
  return { records, last, params: run.finalParams() };
}

/** The steps a comparison covers (one epoch of the 800 spiral points), for the test's name. */
function covers(c: RunConfig): string {
  const whole = Math.floor(800 / c.batch);
  const left = 800 % c.batch;
  if (left === 0) return `steps 1–${whole}, whole batches of ${c.batch}`;
  return c.droplast ? `steps 1–${whole}, whole batches of ${c.batch} (droplast=1 leaves out ${left})` : `steps 1–${whole + 1}, the last a short batch of ${left}`;
}

const losses = (records: MetricRecord[]) => records.filter((r): r is StepRecord => r.type === 'step').map((r) => r.loss);

/** Runs `config` both ways and checks the step losses and final parameters agree. */
async function expectSameAsOneDevice(config: RunConfig) {
  const one = await trainOneDevice({ ...config, mode: 'data', replicas: 1 });
  const split = await modelParallel(config);
  expect(split.last, JSON.stringify(split.last)).toMatchObject({ type: 'done' });
  const a = losses(one.records);
  const b = losses(split.records);
  expect(b.length).toBe(a.length);
  b.forEach((loss, i) => expect(Math.abs(loss - a[i]) / a[i], `step ${i + 1} of ${a.length}`).toBeLessThan(1e-5));
  expect(relativeError(split.params!, one.params)).toBeLessThan(1e-5);
  return split.records;
}

describe('pipeline parallel = one device', () => {
  for (const [schedule, stages, microbatches, replicas, batch, droplast] of [
    ['gpipe', 2, 4, 1, 32, 0], ['1f1b', 4, 8, 1, 32, 0], ['gpipe', 3, 3, 1, 48, 0], ['1f1b', 2, 1, 1, 32, 0], ['1f1b', 2, 4, 2, 48, 1],
  ] as const) {
    const config: RunConfig = { ...BASE, mode: 'pipeline', schedule, stages, microbatches, replicas, batch, droplast };
    it(`${schedule}, ${stages} stages, ${microbatches} micro-batches${replicas > 1 ? `, ${replicas} replicas (data × pipeline)` : ''}: ${covers(config)}`, async () => {
      const records = await expectSameAsOneDevice(config);
      const stagesRecords = records.filter((r): r is StagesRecord => r.type === 'stages');
      expect(stagesRecords.length).toBeGreaterThan(0);
      const first = stagesRecords[0];
      expect(first.spans).toHaveLength(stages * replicas);
      if (replicas > 1) {
        expect(first.spans.every((spans) => spans.some((s) => s.kind === 'allreduce'))).toBe(true);
        expect(records.find((r): r is StepRecord => r.type === 'step')!.replicaLoss).toHaveLength(replicas);
      }
      expect(first.theory).toBeCloseTo(bubbleTheory(stages, microbatches), 12);
      expect(first.scheduled).toBeGreaterThanOrEqual(0);
      expect(first.scheduled).toBeLessThan(1);
      // Every stage ran every micro-batch forward and backward.
      for (const spans of first.spans) {
        expect(spans.filter((s) => s.kind === 'F')).toHaveLength(microbatches);
        expect(spans.filter((s) => s.kind === 'B')).toHaveLength(microbatches);
      }
      expect(records.some((r) => r.type === 'eval')).toBe(true);
    });
  }

  it('1F1B holds fewer activations than GPipe on the first stage', async () => {
    const config = { ...BASE, mode: 'pipeline' as const, stages: 4, microbatches: 8, epochs: 1 };
    const memory = async (schedule: 'gpipe' | '1f1b') => {
      const run = await modelParallel({ ...config, schedule });
      return run.records.find((r): r is StagesRecord => r.type === 'stages')!.activationBytes;
    };
    const [gpipe, oneF] = [await memory('gpipe'), await memory('1f1b')];
    expect(oneF[0]).toBe(gpipe[0] / 2); // 4 of 8 micro-batches in flight
    expect(oneF[3]).toBe(gpipe[3] / 8); // the last stage: one
  });
});

describe('tensor parallel = one device', () => {
  for (const [layers, stages, batch, droplast] of [[[16, 16, 16], 2, 32, 0], [[16, 9, 8], 3, 48, 1]] as const) {
    const config: RunConfig = { ...BASE, layers: [...layers], mode: 'tensor', stages, batch, droplast };
    it(`layers ${layers.join(',')} on ${stages} workers: ${covers(config)}`, async () => {
      const records = await expectSameAsOneDevice(config);
      const first = records.find((r): r is StagesRecord => r.type === 'stages')!;
      expect(first.bytesSent.every((b) => b > 0)).toBe(true);
    });
  }
});

describe('model-parallel faults and resume', () => {
  const config: RunConfig = { ...BASE, mode: 'pipeline', stages: 3, microbatches: 2, schedule: '1f1b', epochs: 2 };
  const sha = (records: MetricRecord[]) => records.find((r): r is DoneRecord => r.type === 'done')?.weightsSha256;

  it('a stage killed mid-run: every stage restarts from the last consistent state, same checksum', async () => {
    const clean = await modelParallel(config);
    const env = nodeMemberHost();
    const spawned: Member[] = [];
    let killed = false;
    const faulty = await modelParallel(config, {
      env: { ...env, spawn: (rank) => { const w = env.spawn(rank); spawned.push(w); return w; } },
      emit: (r) => {
        if (r.type === 'step' && r.step === 30 && !killed) {
          killed = true;
          spawned[1].terminate();
        }
      },
    });
    expect(faulty.last, JSON.stringify(faulty.last)).toMatchObject({ type: 'done' });
    const fault = faulty.records.find((r) => r.type === 'fault');
    expect(fault).toMatchObject({ type: 'fault', rank: 1, restartedFrom: 16 });
    expect(fault && 'message' in fault ? fault.message : '').toContain('stage 1');
    // Every step reported once, in order, and the same weights as never failing.
    expect(losses(faulty.records)).toEqual(losses(clean.records));
    expect(sha(faulty.records)).toBe(sha(clean.records));
  });

  it('checkpoints are the whole model; resuming from one ends with the uninterrupted checksum', async () => {
    const saved: TrainingState[] = [];
    // Every 20 steps asked: saved at the first consistent state (every 16 steps) on or after 20 and 40.
    const clean = await modelParallel(config, { checkpoint: { every: 20, save: (s) => saved.push(s) } });
    expect(saved.map((s) => s.step)).toEqual([32, 48]);
    expect(saved[0].params.length).toBe(clean.params!.length);
    const resumed = await modelParallel(config, { resumeFrom: saved[0] });
    expect(losses(resumed.records)).toEqual(losses(clean.records).slice(32));
    expect(sha(resumed.records)).toBe(sha(clean.records));
  });
});

describe('model-parallel divergence', () => {
  it('a diverged pipeline stops at its last good checkpoint, which resumes with a lower learning rate', async () => {
    const config: RunConfig = {
      ...BASE, dataset: 'gauss', layers: [32, 32, 32, 32, 32, 32, 32, 32], optimizer: 'momentum', lr: 0.3, batch: 16, epochs: 3,
      mode: 'pipeline', stages: 3, microbatches: 2,
    };
    const saved: TrainingState[] = [];
    const run = await modelParallel(config, { checkpoint: { every: 4, save: (s) => saved.push(s) } });
    const stopped = run.last as StoppedRecord;
    expect(stopped, JSON.stringify(stopped)).toMatchObject({ type: 'stopped', reason: 'diverged' });
    expect(stopped.message).toContain(`the last verified good, are kept: lower the learning rate, e.g. to 0.03`);
    const kept = saved[saved.length - 1];
    expect(kept.step).toBe(stopped.step);
    expect(stopped.divergedAt! - kept.step).toBeGreaterThan(2);
    expect([kept.params, kept.m].every((a) => a.every(Number.isFinite))).toBe(true);
    expect(run.records.some((r) => r.type === 'warning')).toBe(true);

    const resumed = await modelParallel({ ...config, lr: 0.003 }, { resumeFrom: kept });
    expect(resumed.last, JSON.stringify(resumed.last)).toMatchObject({ type: 'done' });
    expect(losses(resumed.records).every(Number.isFinite)).toBe(true);
  });
});
