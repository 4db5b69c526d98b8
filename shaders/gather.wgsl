// Batch gather: copies the rows a step uses out of the data set held on the GPU.
// Legend: N samples in the split, D inputs per sample, B rows in the batch.
// Bindings: 0 params (GatherParams); 1 data [N, D]; 2 labels [N] (u32); 3 indices [B] (u32 sample ids);
// 4 x [B, D]; 5 y [B] (u32).

struct GatherParams {
  B: u32,
  D: u32,
}

@group(0) @binding(0) var<uniform> params: GatherParams;
@group(0) @binding(1) var<storage, read> data: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read> indices: array<u32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * 256u;
  if (i >= params.B * params.D) { return; }
  let row = i / params.D;
  let col = i % params.D;
  let sample = indices[row];
  x[i] = data[sample * params.D + col];
  if (col == 0u) { y[row] = labels[sample]; }
}
