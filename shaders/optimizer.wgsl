// Optimizer updates over the flat parameter buffer, one element per thread (Keras semantics).
// Legend: P floats in the flat parameter buffer (padding included; its gradients are zero).
// Bindings: 0 params (OptimizerParams); 1 grads [P]; 2 weights [P]; 3 m [P] (momentum: velocity;
// Adam: first moment); 4 v [P] (Adam: second moment). Each entry point binds only what it uses.
// sgd:      w −= lr·g
// momentum: m = μ·m − lr·g; w += m
// adam:     m += (1−β1)(g − m); v += (1−β2)(g² − v); w −= α·m/(√v + ε), α = lr·√(1−β2ᵗ)/(1−β1ᵗ)
// lr is this step's learning rate (warm-up and decay applied on the host, in float64).

struct OptimizerParams {
  P: u32,
  lr: f32,
  alpha: f32,
  momentum: f32,
  // 1−β1 and 1−β2 computed in float64 on the host: 1.0 − 0.999 in f32 would be off by 5e-5.
  oneMinusBeta1: f32,
  oneMinusBeta2: f32,
  epsilon: f32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: OptimizerParams;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

fn flatIndex(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * 256u;
}

@compute @workgroup_size(256)
fn sgd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flatIndex(gid, groups);
  if (i >= params.P) { return; }
  weights[i] -= params.lr * grads[i];
}

@compute @workgroup_size(256)
fn momentum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flatIndex(gid, groups);
  if (i >= params.P) { return; }
  let velocity = params.momentum * m[i] - params.lr * grads[i];
  m[i] = velocity;
  weights[i] += velocity;
}

@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flatIndex(gid, groups);
  if (i >= params.P) { return; }
  let g = grads[i];
  let mi = m[i] + params.oneMinusBeta1 * (g - m[i]);
  let vi = v[i] + params.oneMinusBeta2 * (g * g - v[i]);
  m[i] = mi;
  v[i] = vi;
  weights[i] -= params.alpha * mi / (sqrt(vi) + params.epsilon);
}
