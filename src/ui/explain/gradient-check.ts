// Gradient check: backprop gradients of the float64 reference against central finite differences of
// the mean cross-entropy, for a few parameters spread over every W and b of the model.
import type { ModelLayout, TensorSlot } from '../../core/model';
import { forwardBackwardRef, forwardRef, softmaxCeRef } from '../../core/reference';

export const CHECK_STEP = 1e-5;

export interface CheckTarget {
  /** e.g. "W1[403, 7]" or "b2[3]". */
  label: string;
  /** Offset in the flat parameter buffer. */
  offset: number;
}

export interface CheckRow extends CheckTarget {
  analytic: number;
  numeric: number;
  relError: number;
}

function labelOf(t: TensorSlot, i: number): string {
  return t.shape.length === 2 ? `${t.name}[${Math.floor(i / t.shape[1])}, ${i % t.shape[1]}]` : `${t.name}[${i}]`;
}

/**
 * `count` parameters dealt round-robin over the tensors W1, b1, W2, …; within a tensor, one per equal
 * segment, the one with the largest gradient there (so dead inputs and units do not make trivial rows).
 */
export function pickTargets(layout: ModelLayout, grads: ArrayLike<number>, count: number): CheckTarget[] {
  const tensors = layout.layers.flatMap((l) => [l.w, l.b]);
  const picks = tensors.map((_, i) => Math.floor(count / tensors.length) + (i < count % tensors.length ? 1 : 0));
  return tensors.flatMap((t, ti) => {
    const k = Math.min(picks[ti], t.size);
    return Array.from({ length: k }, (_, s) => {
      const from = Math.floor((s * t.size) / k);
      const to = Math.floor(((s + 1) * t.size) / k);
      let best = from;
      for (let i = from; i < to; i++) if (Math.abs(grads[t.offset + i]) > Math.abs(grads[t.offset + best])) best = i;
      return { label: labelOf(t, best), offset: t.offset + best };
    });
  });
}

/** Mean cross-entropy of the batch. */
function meanLoss(layout: ModelLayout, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, B: number): number {
  const acts = forwardRef(layout, params, x, B);
  return softmaxCeRef(acts[acts.length - 1], y, B, layout.sizes[layout.sizes.length - 1], 1).lossSum / B;
}

export const relativeError = (a: number, n: number): number => {
  const scale = Math.max(Math.abs(a), Math.abs(n));
  return scale === 0 ? 0 : Math.abs(a - n) / scale;
};

/**
 * Checks `count` parameters of float32 `weights` (promoted to float64) on the batch x [B, D], y [B].
 * `pause` runs between loss evaluations so a caller on the main thread can yield to the browser.
 */
export async function gradientCheck(
  layout: ModelLayout, weights: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, B: number,
  count: number, pause: () => Promise<void> = async () => {},
): Promise<CheckRow[]> {
  const params = Float64Array.from(weights);
  const { grads } = forwardBackwardRef(layout, params, x, y, B, 1 / B);
  const rows: CheckRow[] = [];
  for (const target of pickTargets(layout, grads, count)) {
    const keep = params[target.offset];
    await pause();
    params[target.offset] = keep + CHECK_STEP;
    const up = meanLoss(layout, params, x, y, B);
    await pause();
    params[target.offset] = keep - CHECK_STEP;
    const down = meanLoss(layout, params, x, y, B);
    params[target.offset] = keep;
    const numeric = (up - down) / (2 * CHECK_STEP);
    const analytic = grads[target.offset];
    rows.push({ ...target, analytic, numeric, relError: relativeError(analytic, numeric) });
  }
  return rows;
}
