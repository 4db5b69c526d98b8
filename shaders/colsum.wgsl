// Column sums for bias gradients: out[o] = Σ_b x[b, o], rows summed in order b = 0..B−1; with ACCUMULATE,
// out[o] += Σ_b x[b, o] (gradient accumulation over pipeline micro-batches).
// Legend: B rows (batch), O columns.
// Bindings: 0 params (ColsumParams); 1 x [B, O]; 2 out [O].

struct ColsumParams {
  B: u32,
  O: u32,
}

override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> params: ColsumParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= params.O) { return; }
  var s = 0.0;
  for (var b = 0u; b < params.B; b++) { s += x[b * params.O + o]; }
  if (ACCUMULATE) { out[o] += s; } else { out[o] = s; }
}
