// Optimizer hyper-parameters (Keras defaults), the learning-rate schedule, and the per-step scalars both
// GPU and reference use.
// SGD:       w -= lr·g
// Momentum:  m = μ·m − lr·g;  w += m                        (Keras SGD(momentum=0.9))
// Adam:      m += (1−β1)(g − m);  v += (1−β2)(g² − v);  w −= α·m / (√v + ε),
//            α = lr·√(1−β2ᵗ)/(1−β1ᵗ)                      (Keras Adam, bias-corrected)
import type { LrDecay } from './config';

export const MOMENTUM = 0.9;
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-7;

/** Adam's bias-corrected step size at step t (1-based), computed in float64. */
export function adamAlpha(lr: number, t: number): number {
  return (lr * Math.sqrt(1 - Math.pow(ADAM_BETA2, t))) / (1 - Math.pow(ADAM_BETA1, t));
}

/** The learning rate over a run: `peak` after a linear warm-up of `warmup` steps, then held or decayed. */
export interface LrSchedule {
  peak: number;
  warmup: number;
  decay: LrDecay;
  /** Steps in the whole run (the decay's end). */
  totalSteps: number;
}

/** The same learning rate at every step. */
export function constantLr(lr: number): LrSchedule {
  return { peak: lr, warmup: 0, decay: 'constant', totalSteps: 1 };
}

/** The schedule of a run of `totalSteps` steps. */
export function runLrSchedule(config: { lr: number; warmup: number; lrschedule: LrDecay }, totalSteps: number): LrSchedule {
  return { peak: config.lr, warmup: config.warmup, decay: config.lrschedule, totalSteps };
}

/**
 * The learning rate of step t (1-based), in float64: peak·t/W over the warm-up's W steps, then, with p the
 * share of the decay steps already taken (0 at the first, (D−1)/D at the last of D), peak·(1 − p) for
 * linear and peak·(1 + cos πp)/2 for cosine. Both reach 0 just after the last step, as PyTorch's LambdaLR
 * does with the same factor of its 0-based step count: no step is spent at learning rate 0.
 */
export function learningRate(s: LrSchedule, t: number): number {
  if (t <= s.warmup) return (s.peak * t) / s.warmup;
  if (s.decay === 'constant') return s.peak;
  const p = (t - 1 - s.warmup) / (s.totalSteps - s.warmup);
  return s.decay === 'linear' ? s.peak * (1 - p) : (s.peak * (1 + Math.cos(Math.PI * p))) / 2;
}
