// The scalar operands of matmul.wgsl and matmul_tiled.wgsl (src/gpu/matmul-candidates.ts puts it after
// matmul_params.wgsl): the operand bindings read as scalars, and op(A), op(B) element by element with zeros
// past M and N.
// Legend: M rows of C, N columns of C, K the shared inner dimension.
// Bindings: 1 a: A [M, K], or [K, M] when TRANS_A; 2 b: B [K, N], or [N, K] when TRANS_B.

@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;

fn loadA(m: u32, k: u32) -> f32 {
  if (m >= params.M) { return 0.0; }
  if (TRANS_A) { return a[k * params.M + m]; }
  return a[m * params.K + k];
}

fn loadB(k: u32, n: u32) -> f32 {
  if (n >= params.N) { return 0.0; }
  if (TRANS_B) { return b[n * params.K + k]; }
  return b[k * params.N + n];
}

/** op(B)[k, col..col+3], zero past N (the column sums of matmul_store.wgsl read it too). */
fn rowOfB(k: u32, col: u32) -> vec4f {
  return vec4f(loadB(k, col), loadB(k, col + 1u), loadB(k, col + 2u), loadB(k, col + 3u));
}
