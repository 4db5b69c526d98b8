// Optimizer hyper-parameters (Keras defaults) and the per-step scalars both GPU and reference use.
// SGD:       w -= lr·g
// Momentum:  m = μ·m − lr·g;  w += m                        (Keras SGD(momentum=0.9))
// Adam:      m += (1−β1)(g − m);  v += (1−β2)(g² − v);  w −= α·m / (√v + ε),
//            α = lr·√(1−β2ᵗ)/(1−β1ᵗ)                      (Keras Adam, bias-corrected)

export const MOMENTUM = 0.9;
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-7;

/** Adam's bias-corrected step size at step t (1-based), computed in float64. */
export function adamAlpha(lr: number, t: number): number {
  return (lr * Math.sqrt(1 - Math.pow(ADAM_BETA2, t))) / (1 - Math.pow(ADAM_BETA1, t));
}
