// The GPU memory one model-parallel worker (a pipeline stage or a tensor-parallel rank) plans to hold,
// buffer by buffer and by kind, from its part of the model before anything is allocated: its weights,
// gradients and Adam state, an activation slot per micro-batch in flight (with recomputation only each
// slot's input and output gradient, the layers' interior activations in one shared set), the evaluation
// chunk's slot, and the staging buffer its exchanges read through.
import type { RunConfig } from './config';
import type { BufferNeed, MemoryKind } from './memory-plan';
import type { ModelLayout } from './model';
import { inFlight, microbatchSizes, stageSchedule } from './model-parallel';

export interface PartMemory {
  /** The worker's own layout (its layers, or its slices as dense layers). */
  layout: ModelLayout;
  takesInput: boolean;
  computesLoss: boolean;
  /** Training micro-batches held at once, and the rows of the largest. */
  slots: number;
  rows: number;
  /** Rows of one evaluation chunk (its own slot). */
  evalRows: number;
  /** Micro-batches a step runs (all accumulated shares): entries of its loss log. */
  microbatches: number;
  /** Pipeline replicas (data × pipeline): above 1 the gradients go round through the staging buffer. */
  replicas: number;
  /** Samples of the data sets, held by a worker that takes input. */
  trainSamples: number;
  testSamples: number;
  recompute: boolean;
}

/** The sizes a worker's plan needs beyond its config: its replica's largest share of a batch, and the data. */
export interface PartSizes {
  shareRows: number;
  evalRows: number;
  trainSamples: number;
  testSamples: number;
}

/**
 * The memory of pipeline stage `stage` of `stages` (first and last take input and compute the loss), or of
 * a tensor-parallel rank (which does both), holding `layout`, as the config makes it.
 */
export function partMemoryOf(config: RunConfig, worker: { layout: ModelLayout; stage: number; stages: number }, sizes: PartSizes): PartMemory {
  const pipeline = config.mode === 'pipeline';
  const { stage, stages } = worker;
  const m = pipeline ? config.microbatches : 1;
  return {
    layout: worker.layout,
    takesInput: !pipeline || stage === 0,
    computesLoss: !pipeline || stage === stages - 1,
    slots: pipeline ? inFlight(stageSchedule(config.schedule, stages, stage, m)) : 1,
    // The largest micro-batch of the largest accumulated share.
    rows: microbatchSizes(microbatchSizes(sizes.shareRows, config.accumulate)[0], m)[0],
    evalRows: sizes.evalRows,
    microbatches: m * config.accumulate,
    replicas: pipeline ? config.replicas : 1,
    trainSamples: sizes.trainSamples,
    testSamples: sizes.testSamples,
    recompute: pipeline && config.recompute === 1,
  };
}

const F = 4;
/** A loss log entry (gpu/softmax-ce.ts LOSS_STATS_BYTES): the loss sum and the correct count. */
const LOSS_STATS = 8;
/** WebGPU's smallest buffer the lab makes (gpu/context.ts storageBuffer). */
const atLeast16 = (bytes: number) => Math.max(16, Math.ceil(bytes / 4) * 4);

/** The staging buffer's bytes: the widest activation (or the gradients, between replicas) and the loss log. */
export function partStagingBytes(m: Pick<PartMemory, 'layout' | 'rows' | 'evalRows' | 'replicas' | 'microbatches'>): number {
  const widest = Math.max(m.rows, m.evalRows) * Math.max(...m.layout.sizes);
  return F * Math.max(widest, m.replicas > 1 ? m.layout.totalFloats : 0) + LOSS_STATS * Math.max(m.microbatches, 1);
}

export function partBuffers(m: PartMemory): BufferNeed[] {
  const P = m.layout.totalFloats;
  const widths = m.layout.sizes;
  const L = widths.length - 1;
  const top = widths[L];
  const need = (name: string, kind: MemoryKind, bytes: number): BufferNeed => ({ name, kind, bytes: atLeast16(bytes) });
  const buffers: BufferNeed[] = [
    need('parameters', 'parameters', P * F),
    need('gradients', 'gradients', P * F),
    need('optimizer state m', 'optimizer state', P * F),
    need('optimizer state v', 'optimizer state', P * F),
  ];
  if (m.takesInput) {
    const D = widths[0];
    buffers.push(
      need('training data', 'data', m.trainSamples * D * F), need('training labels', 'data', m.trainSamples * F),
      need('test data', 'data', m.testSamples * D * F), need('test labels', 'data', m.testSamples * F),
      need('evaluation ids', 'data', m.testSamples * F),
    );
  }
  const slot = (s: number, rows: number, interior: boolean) => [
    ...widths.map((w, l) => (l === 0 || interior ? [need(`slot ${s} activations ${l}`, 'activations', rows * w * F)] : [])).flat(),
    need(`slot ${s} output gradient`, 'activations', rows * top * F),
    need(`slot ${s} labels`, 'activations', rows * F),
    need(`slot ${s} ids`, 'activations', rows * F),
    need(`slot ${s} loss`, 'activations', LOSS_STATS),
  ];
  for (let s = 0; s < m.slots; s++) buffers.push(...slot(s, m.rows, !m.recompute));
  if (m.recompute) buffers.push(...widths.slice(1).map((w, i) => need(`recomputed activations ${i + 1}`, 'activations', m.rows * w * F)));
  buffers.push(...slot(m.slots, m.evalRows, true).map((b) => ({ ...b, name: b.name.replace(`slot ${m.slots}`, 'evaluation') })));
  widths.forEach((w, l) => buffers.push(need(`activation gradients ${l}`, 'activations', l === 0 || l === L ? F : m.rows * w * F)));
  if (!m.takesInput) buffers.push(need('input gradient', 'activations', m.rows * widths[0] * F));
  buffers.push(
    need('readback staging', 'communication', partStagingBytes(m)),
    need('loss log', 'communication', LOSS_STATS * m.microbatches),
  );
  return buffers;
}

/** Bytes of the training activation slots (and the shared recomputed set): what the micro-batches in flight cost. */
export function trainingActivationBytes(m: Pick<PartMemory, 'layout' | 'slots' | 'rows' | 'recompute'>): number {
  const widths = m.layout.sizes;
  const sum = widths.reduce((s, w) => s + w, 0);
  const top = widths[widths.length - 1];
  const perSlot = m.recompute ? widths[0] + top : sum + top;
  return F * m.rows * (m.slots * perSlot + (m.recompute ? sum - widths[0] : 0));
}
