// What the model-parallel views draw, derived from the config and the metrics stream: the split of the
// network across workers (with each worker's share of the weights) and the recent measured timelines.
import type { RunConfig } from '../../core/config';
import { datasetShape } from '../../core/datasets';
import type { MetricRecord, StagesRecord } from '../../core/metrics';
import { layerSizes, modelLayout, type ModelLayout } from '../../core/model';
import { modelParallelPlan, type ModelParallelPlan } from '../../core/model-parallel';

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

/** How a split layer is held, in words; `sizes` are the workers' slices (uneven splits say so). */
export function roleText(role: 'column' | 'row', sizes: number[]): string {
  const even = sizes.every((n) => n === sizes[0]);
  const split = even ? `${sizes[0]} each` : `unevenly, ${sizes.join(' / ')}`;
  return role === 'column'
    ? `column-parallel: output units split across ${sizes.length} workers (${split})`
    : `row-parallel: inputs split across ${sizes.length} workers (${split}), partial outputs summed`;
}
