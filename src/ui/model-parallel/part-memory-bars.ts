// What the model-parallel memory bars draw: each worker's planned GPU memory by kind (core/part-memory.ts)
// for the config, as its trainer plans it but for the data sets and the evaluation chunk's slot.
import type { RunConfig } from '../../core/config';
import { bytesByKind, type MemoryKind } from '../../core/memory-plan';
import { partBuffers, partMemoryOf } from '../../core/part-memory';
import type { SplitView } from './model-parallel-data';

/** Bytes of each kind per worker, in rank order (pipeline: stage k mod S of replica ⌊k/S⌋). */
export function partMemoryBars(config: RunConfig, { plan }: Pick<SplitView, 'plan'>): Record<MemoryKind, number>[] {
  const stages = plan.workers.length;
  const workers = config.mode === 'pipeline' ? stages * config.replicas : stages;
  const sizes = { shareRows: Math.ceil(config.batch / (config.mode === 'pipeline' ? config.replicas : 1)), evalRows: 0, trainSamples: 0, testSamples: 0 };
  return Array.from({ length: workers }, (_, rank) => {
    const stage = rank % stages;
    return bytesByKind(partBuffers(partMemoryOf(config, { layout: plan.workers[stage].layout, stage, stages }, sizes)));
  });
}
