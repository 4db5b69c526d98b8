// Float64 reference of every training op: the oracle that each WGSL kernel and the GPU trainer are
// tested against. Plain loops, written for clarity, not speed.
import type { OptimizerName } from './config';
import type { ModelLayout } from './model';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, MOMENTUM, adamAlpha, learningRate, type LrSchedule } from './optimizers';

type Vec = ArrayLike<number>;

/** C[M,N] = op(A)·op(B); A is [M,K] (or [K,M] when transA), B is [K,N] (or [N,K] when transB). */
export function matmulRef(a: Vec, b: Vec, M: number, N: number, K: number, transA = false, transB = false): Float64Array {
  const c = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        s += (transA ? a[k * M + m] : a[m * K + k]) * (transB ? b[n * K + k] : b[k * N + n]);
      }
      c[m * N + n] = s;
    }
  }
  return c;
}

/** y[b, o] = x[b, o] + bias[o] for x [B, O]. */
export function biasAddRef(x: Vec, bias: Vec, B: number, O: number): Float64Array {
  const y = new Float64Array(B * O);
  for (let i = 0; i < B * O; i++) y[i] = x[i] + bias[i % O];
  return y;
}

export function reluRef(x: Vec): Float64Array {
  return Float64Array.from(x, (v) => (v > 0 ? v : 0));
}

/** Gradient through ReLU, using the ReLU output as the mask. */
export function reluBackwardRef(dy: Vec, activation: Vec): Float64Array {
  return Float64Array.from(dy, (g, i) => (activation[i] > 0 ? g : 0));
}

/** out[o] = Σ_b x[b, o] for x [B, O]. */
export function colsumRef(x: Vec, B: number, O: number): Float64Array {
  const out = new Float64Array(O);
  for (let b = 0; b < B; b++) for (let o = 0; o < O; o++) out[o] += x[b * O + o];
  return out;
}

export interface SoftmaxCeResult {
  /** Σ over rows of −log softmax(z)[label]. */
  lossSum: number;
  /** Rows whose arg-max (first on ties) is the label. */
  correct: number;
  /** (softmax(z) − onehot(label))·scale, [B, C]. */
  dlogits: Float64Array;
}

export function softmaxCeRef(logits: Vec, labels: Vec, B: number, C: number, scale: number): SoftmaxCeResult {
  const dlogits = new Float64Array(B * C);
  let lossSum = 0;
  let correct = 0;
  for (let r = 0; r < B; r++) {
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) {
      const z = logits[r * C + c];
      if (z > max) { max = z; arg = c; }
    }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(logits[r * C + c] - max);
    const label = labels[r];
    lossSum += Math.log(sum) + max - logits[r * C + label];
    if (arg === label) correct++;
    for (let c = 0; c < C; c++) {
      const p = Math.exp(logits[r * C + c] - max) / sum;
      dlogits[r * C + c] = (p - (c === label ? 1 : 0)) * scale;
    }
  }
  return { lossSum, correct, dlogits };
}

export interface OptimizerState {
  params: Float64Array;
  m: Float64Array;
  v: Float64Array;
  /** Steps taken so far. */
  t: number;
}

/** One update at step s.t + 1, with that step's learning rate from the schedule. */
export function optimizerStepRef(kind: OptimizerName, s: OptimizerState, grads: Vec, schedule: LrSchedule): void {
  s.t += 1;
  const { params: w, m, v } = s;
  const lr = learningRate(schedule, s.t);
  const alpha = adamAlpha(lr, s.t);
  for (let i = 0; i < w.length; i++) {
    const g = grads[i];
    if (kind === 'sgd') {
      w[i] -= lr * g;
    } else if (kind === 'momentum') {
      m[i] = MOMENTUM * m[i] - lr * g;
      w[i] += m[i];
    } else {
      m[i] += (1 - ADAM_BETA1) * (g - m[i]);
      v[i] += (1 - ADAM_BETA2) * (g * g - v[i]);
      w[i] -= (alpha * m[i]) / (Math.sqrt(v[i]) + ADAM_EPSILON);
    }
  }
}

export interface ForwardBackward {
  lossSum: number;
  correct: number;
  /** Flat gradient in the model layout (padding zero). */
  grads: Float64Array;
}

/** Forward through the MLP: acts[0] = x, acts[l] = output of layer l (the last holds the logits). */
export function forwardRef(layout: ModelLayout, params: Vec, x: Vec, B: number): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(x)];
  for (const layer of layout.layers) {
    const w = sliceOf(params, layer.w.offset, layer.w.size);
    const b = sliceOf(params, layer.b.offset, layer.b.size);
    const z = biasAddRef(matmulRef(acts[acts.length - 1], w, B, layer.outputs, layer.inputs), b, B, layer.outputs);
    acts.push(layer.relu ? reluRef(z) : z);
  }
  return acts;
}

/** Class probabilities [B, C] of the model for inputs x [B, D] (max-subtracted softmax). */
export function predictRef(layout: ModelLayout, params: Vec, x: Vec, B: number): Float64Array {
  const acts = forwardRef(layout, params, x, B);
  const logits = acts[acts.length - 1];
  const C = layout.sizes[layout.sizes.length - 1];
  const probs = new Float64Array(B * C);
  for (let r = 0; r < B; r++) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[r * C + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += (probs[r * C + c] = Math.exp(logits[r * C + c] - max));
    for (let c = 0; c < C; c++) probs[r * C + c] /= sum;
  }
  return probs;
}

/** One batch forward and backward through the MLP; gradients scaled by gradScale (1/B for the mean). */
export function forwardBackwardRef(
  layout: ModelLayout, params: Vec, x: Vec, labels: Vec, B: number, gradScale: number,
): ForwardBackward {
  const acts = forwardRef(layout, params, x, B);
  const classes = layout.sizes[layout.sizes.length - 1];
  const loss = softmaxCeRef(acts[acts.length - 1], labels, B, classes, gradScale);
  const grads = new Float64Array(layout.totalFloats);
  let dz = loss.dlogits;
  for (let l = layout.layers.length - 1; l >= 0; l--) {
    const layer = layout.layers[l];
    grads.set(matmulRef(acts[l], dz, layer.inputs, layer.outputs, B, true, false), layer.w.offset);
    grads.set(colsumRef(dz, B, layer.outputs), layer.b.offset);
    if (l > 0) {
      const w = sliceOf(params, layer.w.offset, layer.w.size);
      dz = reluBackwardRef(matmulRef(dz, w, B, layer.inputs, layer.outputs, false, true), acts[l]);
    }
  }
  return { lossSum: loss.lossSum, correct: loss.correct, grads };
}

function sliceOf(v: Vec, offset: number, size: number): Float64Array {
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = v[offset + i];
  return out;
}

/** Rows `indices` of x [N, D] and their labels, as a batch. */
export function gatherRef(x: Vec, y: Vec, D: number, indices: Vec): { x: Float64Array; y: Float64Array } {
  const bx = new Float64Array(indices.length * D);
  const by = new Float64Array(indices.length);
  for (let b = 0; b < indices.length; b++) {
    for (let d = 0; d < D; d++) bx[b * D + d] = x[indices[b] * D + d];
    by[b] = y[indices[b]];
  }
  return { x: bx, y: by };
}

/**
 * ‖x − ref‖ / ‖ref‖ (NaN if any element is NaN): how far a result is from its reference. An all-zero reference
 * (a ReLU output of one negative sum, say) has no scale: there the error is ‖x‖ itself, not 0/0.
 */
export function relativeError(x: Vec, ref: Vec): number {
  if (x.length !== ref.length) throw new Error(`length ${x.length} vs reference ${ref.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < ref.length; i++) {
    diff += (x[i] - ref[i]) ** 2;
    norm += ref[i] ** 2;
  }
  return norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff) / Math.sqrt(norm);
}
