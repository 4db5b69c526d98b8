// Bias add, in place: y[b, o] += bias[o].
// Legend: B rows (batch), O outputs.
// Bindings: 0 params (BiasParams); 1 bias [O]; 2 y [B, O] (read and written).

struct BiasParams {
  B: u32,
  O: u32,
}

@group(0) @binding(0) var<uniform> params: BiasParams;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * 256u;
  if (i >= params.B * params.O) { return; }
  y[i] += bias[i % params.O];
}
