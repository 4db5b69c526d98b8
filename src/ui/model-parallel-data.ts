// What the model-parallel views draw, derived from the config and the metrics stream: the split of the
// network across workers (with each worker's share of the weights) and the recent measured timelines.
import type { RunConfig } from '../core/config';
import { datasetShape } from '../core/datasets';
import type { MetricRecord, StagesRecord } from '../core/metrics';
import { layerSizes, modelLayout, type ModelLayout } from '../core/model';
import { modelParallelPlan, type ModelParallelPlan } from '../core/model-parallel';

export interface SplitView {
  model: ModelLayout;
  plan: ModelParallelPlan;
  /** Weights and biases each worker holds, and its share of the whole model's. */
  held: { params: number; share: number }[];
}

/** The run's split, or the reason there is none (a config the coordinator would refuse). */
export function splitView(config: RunConfig): SplitView | { error: string } {
  try {
    const shape = datasetShape(config.dataset);
    const model = modelLayout(layerSizes(config, shape.inputs, shape.classes));
    const plan = modelParallelPlan(config, model);
    const held = plan.workers.map((w) => {
      const params = w.layout.parameterCount;
      return { params, share: params / model.parameterCount };
    });
    return { model, plan, held };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** The last `n` steps' timelines, oldest first. */
export function recentStages(records: readonly MetricRecord[], n: number): StagesRecord[] {
  const out: StagesRecord[] = [];
  for (let i = records.length - 1; i >= 0 && out.length < n; i--) {
    const r = records[i];
    if (r.type === 'stages') out.push(r);
  }
  return out.reverse();
}

/** The median of the measured bubbles (a single slow step should not move the figure). */
export function medianBubble(steps: readonly StagesRecord[]): number | null {
  if (steps.length === 0) return null;
  const sorted = steps.map((s) => s.bubble).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** How a layer is held, in words. */
export function roleText(role: 'whole' | 'column' | 'row', workers: number): string {
  if (role === 'column') return `column-parallel: output units split across ${workers} workers`;
  if (role === 'row') return `row-parallel: inputs split, partial outputs summed across ${workers} workers`;
  return 'whole';
}
