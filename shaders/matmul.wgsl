// Tiled matrix multiply: C[M, N] = op(A) · op(B).
// Legend: M rows of C, N columns of C, K the shared inner dimension.
// Bindings: 0 params (MatmulParams); 1 a: A [M, K], or [K, M] when TRANS_A; 2 b: B [K, N], or [N, K] when
// TRANS_B; 3 c: C [M, N] (written, never accumulated).
// Forward uses A·B (X·W); backward uses Aᵀ·B (Xᵀ·dY for dW) and A·Bᵀ (dY·Wᵀ for dX).
// Each 16×16 workgroup computes a 32×32 tile of C (2×2 outputs per thread) from 32×16 slices of A and B
// staged in workgroup memory; the inner sum runs k = 0..K−1 in order, so results are deterministic.

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
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TILE = 32u;
const TILE_K = 16u;

var<workgroup> tileA: array<array<f32, TILE_K>, TILE>; // [m][k]
var<workgroup> tileB: array<array<f32, TILE>, TILE_K>; // [k][n]

fn loadA(m: u32, k: u32) -> f32 {
  if (m >= params.M || k >= params.K) { return 0.0; }
  if (TRANS_A) { return a[k * params.M + m]; }
  return a[m * params.K + k];
}

fn loadB(k: u32, n: u32) -> f32 {
  if (k >= params.K || n >= params.N) { return 0.0; }
  if (TRANS_B) { return b[n * params.K + k]; }
  return b[k * params.N + n];
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let rowBase = wg.y * TILE;
  let colBase = wg.x * TILE;
  var acc00 = 0.0;
  var acc01 = 0.0;
  var acc10 = 0.0;
  var acc11 = 0.0;
  for (var k0 = 0u; k0 < params.K; k0 += TILE_K) {
    // 256 threads stage 32×16 of A and 16×32 of B: two elements each.
    tileA[lid.y][lid.x] = loadA(rowBase + lid.y, k0 + lid.x);
    tileA[lid.y + 16u][lid.x] = loadA(rowBase + lid.y + 16u, k0 + lid.x);
    tileB[lid.y][lid.x] = loadB(k0 + lid.y, colBase + lid.x);
    tileB[lid.y][lid.x + 16u] = loadB(k0 + lid.y, colBase + lid.x + 16u);
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      let a0 = tileA[lid.y][k];
      let a1 = tileA[lid.y + 16u][k];
      let b0 = tileB[k][lid.x];
      let b1 = tileB[k][lid.x + 16u];
      acc00 += a0 * b0;
      acc01 += a0 * b1;
      acc10 += a1 * b0;
      acc11 += a1 * b1;
    }
    workgroupBarrier();
  }
  store(rowBase + lid.y, colBase + lid.x, acc00);
  store(rowBase + lid.y, colBase + lid.x + 16u, acc01);
  store(rowBase + lid.y + 16u, colBase + lid.x, acc10);
  store(rowBase + lid.y + 16u, colBase + lid.x + 16u, acc11);
}

fn store(m: u32, n: u32, v: f32) {
  if (m < params.M && n < params.N) { c[m * params.N + n] = v; }
}
