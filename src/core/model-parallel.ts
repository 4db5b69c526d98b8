// Model parallelism, the pure part: how the network is split across workers (pipeline stages balanced
// by compute; Megatron-style column/row slices for tensor parallelism), the micro-batches, the GPipe
// and 1F1B schedules, the bubble they leave, and moving parameters between the whole model and its parts.
import type { RunConfig, Schedule } from './config';
import { median } from './median';
import { layoutOfLayers, type ModelLayout } from './model';

/** One worker's share of one layer of the whole model: W[rows, cols] and the matching bias entries. */
export interface LayerPart {
  /** The whole model's layer, 0-based. */
  layer: number;
  /**
   * whole: the full layer; column: some output columns (its bias slice too); row: some input rows,
   * whose partial outputs the workers sum before the (full, replicated) bias is added.
   */
  role: 'whole' | 'column' | 'row';
  /** [start, end) of W's input rows held. */
  rows: [number, number];
  /** [start, end) of W's output columns held (and of b). */
  cols: [number, number];
}

export interface WorkerPlan {
  parts: LayerPart[];
  /** The worker's own flat layout (its slices as dense layers). */
  layout: ModelLayout;
}

export interface ModelParallelPlan {
  mode: 'pipeline' | 'tensor';
  workers: WorkerPlan[];
}

const cost = (l: { inputs: number; outputs: number }) => l.inputs * l.outputs + l.outputs;

/**
 * Splits layers 0..n−1 into `stages` contiguous runs, minimising the most expensive stage (multiply-adds
 * per sample); returns each stage's first layer.
 */
export function balancedSplit(costs: number[], stages: number): number[] {
  const n = costs.length;
  if (stages < 1 || stages > n) throw new Error(`cannot split ${n} layers into ${stages} stages`);
  const prefix = [0];
  for (const c of costs) prefix.push(prefix[prefix.length - 1] + c);
  // best[s][i]: the smallest possible maximum stage cost putting layers 0..i−1 into s stages.
  const best = Array.from({ length: stages + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const cut = Array.from({ length: stages + 1 }, () => new Array<number>(n + 1).fill(0));
  best[0][0] = 0;
  for (let s = 1; s <= stages; s++) {
    for (let i = s; i <= n; i++) {
      for (let j = s - 1; j < i; j++) {
        const v = Math.max(best[s - 1][j], prefix[i] - prefix[j]);
        if (v < best[s][i]) {
          best[s][i] = v;
          cut[s][i] = j;
        }
      }
    }
  }
  const starts: number[] = [];
  for (let s = stages, i = n; s >= 1; s--) {
    i = cut[s][i];
    starts.unshift(i);
  }
  return starts;
}

/** Splits `n` items into `parts` runs as even as possible, the larger ones first: [start, end) each. */
export function evenRanges(n: number, parts: number): [number, number][] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  const out: [number, number][] = [];
  let at = 0;
  for (let k = 0; k < parts; k++) {
    const size = base + (k < extra ? 1 : 0);
    out.push([at, at + size]);
    at += size;
  }
  return out;
}

function planOf(model: ModelLayout, parts: LayerPart[]): WorkerPlan {
  const layout = layoutOfLayers(parts.map((p) => ({
    inputs: p.rows[1] - p.rows[0], outputs: p.cols[1] - p.cols[0], relu: model.layers[p.layer].relu,
  })));
  return { parts, layout };
}

const whole = (model: ModelLayout, layer: number): LayerPart => ({
  layer, role: 'whole', rows: [0, model.layers[layer].inputs], cols: [0, model.layers[layer].outputs],
});

export function pipelinePlan(model: ModelLayout, stages: number): ModelParallelPlan {
  const starts = balancedSplit(model.layers.map(cost), stages);
  const workers = starts.map((start, s) => {
    const end = s + 1 < starts.length ? starts[s + 1] : model.layers.length;
    return planOf(model, Array.from({ length: end - start }, (_, i) => whole(model, start + i)));
  });
  return { mode: 'pipeline', workers };
}

/**
 * Megatron-style: layers go in pairs, the first split by output columns (each worker computes its own
 * hidden units, ReLU included, with no communication), the second by input rows (each worker's partial
 * output is summed across workers, then the bias is added). A last unpaired layer is replicated.
 */
export function tensorPlan(model: ModelLayout, workers: number): ModelParallelPlan {
  const plans: LayerPart[][] = Array.from({ length: workers }, () => []);
  const L = model.layers.length;
  for (let l = 0; l < L; l++) {
    const layer = model.layers[l];
    const paired = l % 2 === 0 ? l + 1 < L : true;
    if (!paired) {
      plans.forEach((p) => p.push(whole(model, l)));
    } else if (l % 2 === 0) {
      evenRanges(layer.outputs, workers).forEach((cols, k) => plans[k].push({ layer: l, role: 'column', rows: [0, layer.inputs], cols }));
    } else {
      evenRanges(layer.inputs, workers).forEach((rows, k) => plans[k].push({ layer: l, role: 'row', rows, cols: [0, layer.outputs] }));
    }
  }
  return { mode: 'tensor', workers: plans.map((parts) => planOf(model, parts)) };
}

export function modelParallelPlan(config: Pick<RunConfig, 'mode' | 'stages'>, model: ModelLayout): ModelParallelPlan {
  if (config.mode === 'pipeline') return pipelinePlan(model, config.stages);
  if (config.mode === 'tensor') return tensorPlan(model, config.stages);
  throw new Error(`mode ${config.mode} is not model-parallel`);
}

/** A worker's starting parameters, cut from the whole model's. */
export function extractPart(model: ModelLayout, full: Float32Array, worker: WorkerPlan): Float32Array {
  const out = new Float32Array(worker.layout.totalFloats);
  worker.parts.forEach((p, i) => {
    const src = model.layers[p.layer];
    const dst = worker.layout.layers[i];
    const width = p.cols[1] - p.cols[0];
    for (let r = p.rows[0]; r < p.rows[1]; r++) {
      const from = src.w.offset + r * src.outputs + p.cols[0];
      out.set(full.subarray(from, from + width), dst.w.offset + (r - p.rows[0]) * width);
    }
    out.set(full.subarray(src.b.offset + p.cols[0], src.b.offset + p.cols[1]), dst.b.offset);
  });
  return out;
}

/** The whole model's parameters put back together from every worker's (replicated parts from the first). */
export function assembleParts(model: ModelLayout, plan: ModelParallelPlan, parts: Float32Array[]): Float32Array {
  const full = new Float32Array(model.totalFloats);
  for (let k = plan.workers.length - 1; k >= 0; k--) {
    const worker = plan.workers[k];
    worker.parts.forEach((p, i) => {
      const src = worker.layout.layers[i];
      const dst = model.layers[p.layer];
      const width = p.cols[1] - p.cols[0];
      for (let r = p.rows[0]; r < p.rows[1]; r++) {
        const from = src.w.offset + (r - p.rows[0]) * width;
        full.set(parts[k].subarray(from, from + width), dst.w.offset + r * dst.outputs + p.cols[0]);
      }
      full.set(parts[k].subarray(src.b.offset, src.b.offset + width), dst.b.offset + p.cols[0]);
    });
  }
  return full;
}

/** Rows of each micro-batch of a batch of `rows` (at most `microbatches` of them, none empty). */
export function microbatchSizes(rows: number, microbatches: number): number[] {
  return evenRanges(rows, Math.min(rows, microbatches)).map(([a, b]) => b - a);
}

export interface PipelineOp {
  kind: 'F' | 'B';
  microbatch: number;
}

/**
 * The order stage `stage` (0-based) of `stages` runs its micro-batches' forwards (F) and backwards (B).
 * GPipe: every forward, then every backward. 1F1B: a warm-up of (stages − stage − 1) forwards, then one
 * forward and one backward alternately, then the remaining backwards; at most stages − stage
 * micro-batches are in flight, so that many activations are kept instead of all of them.
 */
export function stageSchedule(schedule: Schedule, stages: number, stage: number, microbatches: number): PipelineOp[] {
  const F = (microbatch: number): PipelineOp => ({ kind: 'F', microbatch });
  const B = (microbatch: number): PipelineOp => ({ kind: 'B', microbatch });
  const m = microbatches;
  if (schedule === 'gpipe') return [...Array.from({ length: m }, (_, i) => F(i)), ...Array.from({ length: m }, (_, i) => B(i))];
  const warm = Math.min(stages - stage - 1, m);
  const ops: PipelineOp[] = [];
  for (let i = 0; i < warm; i++) ops.push(F(i));
  for (let i = 0; i < m - warm; i++) ops.push(F(warm + i), B(i));
  for (let i = m - warm; i < m; i++) ops.push(B(i));
  return ops;
}

/** Micro-batches whose activations a stage holds at once: its activation slots. */
export function inFlight(ops: PipelineOp[]): number {
  let live = 0;
  let peak = 0;
  for (const op of ops) {
    live += op.kind === 'F' ? 1 : -1;
    peak = Math.max(peak, live);
  }
  return peak;
}

/** GPipe's idle share of a step with equal stage times: (p − 1) / (m + p − 1). */
export function bubbleTheory(stages: number, microbatches: number): number {
  return (stages - 1) / (microbatches + stages - 1);
}

/**
 * The bubble a schedule leaves when stage s takes f[s] per micro-batch forward and b[s] per backward and
 * messages are free: the stages' own imbalance, without the cost of moving activations. With equal
 * times it is GPipe's (p − 1)/(m + p − 1).
 */
export function scheduleBubble(schedule: Schedule, microbatches: number, f: number[], b: number[]): number {
  const stages = f.length;
  const ops = f.map((_, s) => stageSchedule(schedule, stages, s, microbatches));
  const done = new Map<string, number>();
  const next = new Array<number>(stages).fill(0);
  const free = new Array<number>(stages).fill(0);
  let left = ops.reduce((n, o) => n + o.length, 0);
  while (left > 0) {
    let progressed = false;
    for (let s = 0; s < stages; s++) {
      const op = ops[s][next[s]];
      if (!op) continue;
      const i = op.microbatch;
      // A forward needs the previous stage's forward; a backward the next stage's backward (or its own forward).
      const after = op.kind === 'F' ? (s > 0 ? done.get(`F${s - 1}:${i}`) : 0) : done.get(s < stages - 1 ? `B${s + 1}:${i}` : `F${s}:${i}`);
      if (after === undefined) continue;
      free[s] = Math.max(free[s], after) + (op.kind === 'F' ? f[s] : b[s]);
      done.set(`${op.kind}${s}:${i}`, free[s]);
      next[s]++;
      left--;
      progressed = true;
    }
    if (!progressed) throw new Error('schedule deadlocks');
  }
  const busy = microbatches * f.reduce((sum, x, s) => sum + x + b[s], 0);
  const span = Math.max(...free);
  return span > 0 ? 1 - busy / (stages * span) : 0;
}

/**
 * One measured span of a worker's step: a forward, a backward, a forward recomputed before its backward
 * (recompute=1), a send, a wait for a neighbour, the gradient all-reduce with the other replicas (data ×
 * pipeline), or the update.
 */
export interface TimelineSpan {
  kind: 'F' | 'B' | 'recompute' | 'send' | 'wait' | 'allreduce' | 'update';
  microbatch: number;
  /** Milliseconds: on the clock all workers share in a worker's report, from the step's start in a metrics record. */
  start: number;
  end: number;
}

/** The measured bubble of a step: 1 − (time spent computing, recomputation too) / (workers × the step's span). */
export function measuredBubble(timelines: TimelineSpan[][]): number {
  const all = timelines.flat();
  if (all.length === 0) return 0;
  const span = Math.max(...all.map((t) => t.end)) - Math.min(...all.map((t) => t.start));
  const busy = all.filter((t) => t.kind === 'F' || t.kind === 'B' || t.kind === 'recompute').reduce((s, t) => s + t.end - t.start, 0);
  return span > 0 ? Math.max(0, 1 - busy / (timelines.length * span)) : 0;
}

/** The median of steps' measured bubbles (one slow step should not move the figure); null without steps. */
export function medianBubble(bubbles: readonly number[]): number | null {
  return bubbles.length === 0 ? null : median(bubbles);
}
