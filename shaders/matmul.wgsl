// Register-blocked matrix multiply: C[M, N] = op(A) · op(B).
// Legend: M rows of C, N columns of C, K the shared inner dimension.
// Bindings: 0 params (MatmulParams); 1 a: A [M, K], or [K, M] when TRANS_A; 2 b: B [K, N], or [N, K] when
// TRANS_B; 3 c and 4 bias: see matmul_store.wgsl, which src/gpu/matmul.ts appends (overwrite, accumulate,
// or the fused bias+ReLU epilogue).
// Forward uses A·B (X·W); backward uses Aᵀ·B (Xᵀ·dY for dW) and A·Bᵀ (dY·Wᵀ for dX).
// Each thread computes a 4×4 block of C from registers, with no workgroup barriers: small workgroups
// of 8×8 threads (a 32×32 tile) keep every core busy on the small shapes training uses, and software
// rasterisers such as SwiftShader pay heavily for barriers. The inner sum runs k = 0..K−1 in order,
// so results are deterministic.

struct MatmulParams {
  M: u32,
  N: u32,
  K: u32,
  _pad: u32,
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;

const BLOCK = 4u;

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

/** op(B)[k, col..col+3], zero past N. */
fn rowOfB(k: u32, col: u32) -> vec4f {
  return vec4f(loadB(k, col), loadB(k, col + 1u), loadB(k, col + 2u), loadB(k, col + 3u));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.y * BLOCK;
  let col = gid.x * BLOCK;
  if (row >= params.M || col >= params.N) { return; }
  var acc: array<vec4f, 4>;
  for (var k = 0u; k < params.K; k++) {
    let bv = rowOfB(k, col);
    for (var i = 0u; i < BLOCK; i++) {
      acc[i] += loadA(row + i, k) * bv;
    }
  }
  storeBlock(row, col, acc);
}
