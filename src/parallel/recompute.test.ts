// Activation recomputation on Dawn gives the same bits as keeping every activation: one device and two
// data-parallel replicas (segments of ⌈√L⌉ layers, core/recompute.ts) and pipelines under GPipe and 1F1B
// (a stage keeps each in-flight micro-batch's input): every step's loss and the final weights identical,
// and the pipeline's timeline shows the recomputation spans.
import { describe, expect, it } from 'vitest';
import { nodeMemberHost } from '../cli/node-replicas';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import type { DoneRecord, MetricRecord, StagesRecord, StepRecord } from '../core/metrics';
import { startDataParallel } from './data-coordinator';
import { startModelParallel } from './model-coordinator';
import { inProcessHost, trainOneDevice } from './testing';

// Five dense layers: segments of 3, so layers 1–2 are recomputed before layer 3's backward.
const BASE: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [16, 12, 16, 8], lr: 0.01, batch: 32, epochs: 1, seed: 3 };

const losses = (records: MetricRecord[]) => records.filter((r): r is StepRecord => r.type === 'step').map((r) => r.loss);
const sha = (records: MetricRecord[]) => records.find((r): r is DoneRecord => r.type === 'done')?.weightsSha256;

describe('recompute=1 gives the same bits as recompute=0', () => {
  it('one device, accumulating 2 micro-batches: every loss and the final weights', async () => {
    const config = { ...BASE, accumulate: 2 };
    const [plain, again] = [await trainOneDevice(config), await trainOneDevice({ ...config, recompute: 1 })];
    expect(losses(plain.records).length).toBe(25);
    expect(losses(again.records)).toEqual(losses(plain.records));
    expect(again.params).toEqual(plain.params);
  });

  it('2 data-parallel replicas: every loss and the checksum', async () => {
    const run = async (recompute: number) => {
      const records: MetricRecord[] = [];
      const started = await startDataParallel({ config: { ...BASE, replicas: 2, recompute }, env: inProcessHost(), emit: (r) => records.push(r) });
      expect((await started.finished).type).toBe('done');
      return records;
    };
    const [plain, again] = [await run(0), await run(1)];
    expect(losses(again)).toEqual(losses(plain));
    expect(sha(again)).toMatch(/^[0-9a-f]{64}$/);
    expect(sha(again)).toBe(sha(plain));
  });

  for (const [schedule, stages, microbatches] of [['gpipe', 2, 4], ['1f1b', 3, 4]] as const) {
    it(`pipeline, ${schedule} over ${stages} stages, ${microbatches} micro-batches: losses, checksum, recompute spans`, async () => {
      const run = async (recompute: number) => {
        const records: MetricRecord[] = [];
        const config: RunConfig = { ...BASE, mode: 'pipeline', schedule, stages, microbatches, recompute };
        const started = await startModelParallel({ config, env: nodeMemberHost(), emit: (r) => records.push(r) });
        const last = await started.finished;
        expect(last, JSON.stringify(last)).toMatchObject({ type: 'done' });
        return records;
      };
      const [plain, again] = [await run(0), await run(1)];
      expect(losses(again)).toEqual(losses(plain));
      expect(sha(again)).toMatch(/^[0-9a-f]{64}$/);
      expect(sha(again)).toBe(sha(plain));
      const spans = (records: MetricRecord[]) => records.find((r): r is StagesRecord => r.type === 'stages')!.spans;
      expect(spans(plain).flat().some((s) => s.kind === 'recompute')).toBe(false);
      // Each backward recomputes unless its micro-batch's forward was the stage's latest: never so in GPipe
      // (B0 follows F3), always so on 1F1B's last stage (each F is followed by its B).
      const recomputed = spans(again).map((stage) => stage.filter((s) => s.kind === 'recompute').length);
      expect(recomputed).toEqual(schedule === 'gpipe' ? [4, 4] : [4, 4, 0]);
    });
  }
});
