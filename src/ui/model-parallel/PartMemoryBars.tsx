// A stacked bar per model-parallel worker of its planned GPU memory by kind, which moves as the schedule,
// the micro-batches and recompute change: recomputation keeps only each in-flight micro-batch's input.
import type { RunConfig } from '../../core/config';
import { totalBytes } from '../data-parallel/memory-bars';
import { MemoryFigure } from '../data-parallel/MemoryBars';
import { workerName } from '../../parallel/members';
import type { SplitView } from './model-parallel-data';
import { partMemoryBars } from './part-memory-bars';

export function PartMemoryBars({ config, view }: { config: RunConfig; view: SplitView }) {
  const bars = partMemoryBars(config, view);
  // Drawn to the scale of recompute=0's plan, so that recomputation's bars are shorter by what it saves.
  const widest = Math.max(...bars.map(totalBytes), ...partMemoryBars({ ...config, recompute: 0 }, view).map(totalBytes));
  const recomputing = config.mode === 'pipeline' && config.recompute === 1;
  return (
    <MemoryFigure title={`GPU memory per worker (planned${recomputing ? ', activations recomputed' : ''})`} widest={widest}
      bars={bars.map((bytes, rank) => ({ name: workerName(config, rank), bytes }))}
      activations={recomputing ? 'activations (in flight: inputs only; one shared set)' : 'activations (every micro-batch in flight)'} />
  );
}
