// ReLU forward and backward, in place.
// Legend: N elements (B·O of a hidden layer).
// relu_forward — bindings: 0 params (ReluParams); 1 x [N]: x = max(x, 0).
// relu_backward — bindings: 0 params; 1 activation [N] (the ReLU output); 2 grad [N]:
//   grad = activation > 0 ? grad : 0 (relu(z) > 0 exactly when z > 0, so the output is the mask).

struct ReluParams {
  N: u32,
}

@group(0) @binding(0) var<uniform> params: ReluParams;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;

fn flatIndex(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * 256u;
}

@compute @workgroup_size(256)
fn relu_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flatIndex(gid, groups);
  if (i >= params.N) { return; }
  x[i] = max(x[i], 0.0);
}

@group(0) @binding(2) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn relu_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flatIndex(gid, groups);
  if (i >= params.N) { return; }
  grad[i] = select(0.0, grad[i], x[i] > 0.0);
}
