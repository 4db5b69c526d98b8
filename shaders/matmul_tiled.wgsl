// Workgroup-tiled matrix multiply: C[M, N] = op(A)·op(B), the 'tile…' candidates for GPUs.
// Legend: M rows of C, N columns of C, K the shared inner dimension.
// src/gpu/matmul-candidates.ts puts the tile's constants first (TILE_M × TILE_N outputs per workgroup,
// TILE_K steps of k per shared tile, THREAD_M × THREAD_N outputs per thread, both multiples of 4), then
// matmul_params.wgsl, matmul_operands.wgsl (bindings 1–2, loadA, loadB, rowOfB), this, and matmul_store.wgsl
// (bindings 3–6 and the fused epilogues).
// Each workgroup stages a TILE_M × TILE_K slice of op(A) and a TILE_K × TILE_N slice of op(B) in
// workgroup memory (neighbouring threads read neighbouring addresses of A and B, whichever way each is
// laid out), then each thread reads vec4s of the tiles and updates its block from registers. Every
// output sums k = 0..K−1 in order with the same multiply-add as matmul.wgsl (acc += op(A)[m, k] ·
// op(B)[k, n..n+3]), and never adds a product for k ≥ K, so every candidate gives the same bits.

const THREADS_X = TILE_N / THREAD_N;
const THREADS_Y = TILE_M / THREAD_M;
const THREADS = THREADS_X * THREADS_Y;
const QUADS_M = TILE_M / 4u;
const QUADS_N = TILE_N / 4u;

/** tileA[k · QUADS_M + q] = op(A)[m0 + 4q .. m0 + 4q + 3, k0 + k]: four rows of one column. */
var<workgroup> tileA: array<vec4f, TILE_K * QUADS_M>;
/** tileB[k · QUADS_N + q] = op(B)[k0 + k, n0 + 4q .. n0 + 4q + 3]: four columns of one row. */
var<workgroup> tileB: array<vec4f, TILE_K * QUADS_N>;

/** Stages op(A)[m0.., k0..] and op(B)[k0.., n0..]; k past K and rows and columns past M and N read 0. */
fn loadTiles(local: u32, m0: u32, n0: u32, k0: u32) {
  for (var slot = local; slot < TILE_K * QUADS_M; slot += THREADS) {
    // Along A's contiguous dimension first: m when A is [K, M], k when it is [M, K].
    var k = slot / QUADS_M;
    var q = slot % QUADS_M;
    if (!TRANS_A) { k = slot % TILE_K; q = slot / TILE_K; }
    let m = m0 + 4u * q;
    let kk = min(k0 + k, params.K - 1u);
    var v = vec4f(loadA(m, kk), loadA(m + 1u, kk), loadA(m + 2u, kk), loadA(m + 3u, kk));
    if (k0 + k >= params.K) { v = vec4f(0.0); }
    tileA[k * QUADS_M + q] = v;
  }
  for (var slot = local; slot < TILE_K * QUADS_N; slot += THREADS) {
    // Along B's contiguous dimension first: n when B is [K, N], k when it is [N, K].
    var k = slot / QUADS_N;
    var q = slot % QUADS_N;
    if (TRANS_B) { k = slot % TILE_K; q = slot / TILE_K; }
    let kk = min(k0 + k, params.K - 1u);
    var v = rowOfB(kk, n0 + 4u * q);
    if (k0 + k >= params.K) { v = vec4f(0.0); }
    tileB[k * QUADS_N + q] = v;
  }
}

@compute @workgroup_size(THREADS_X, THREADS_Y)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m0 = group.y * TILE_M;
  let n0 = group.x * TILE_N;
  let row = m0 + lid.y * THREAD_M;
  let col = n0 + lid.x * THREAD_N;
  // acc[i][j] = C[row + i, col + 4j .. col + 4j + 3]
  var acc: array<array<vec4f, THREAD_N / 4u>, THREAD_M>;
  var av: array<vec4f, THREAD_M / 4u>;
  var bv: array<vec4f, THREAD_N / 4u>;
  for (var k0 = 0u; k0 < params.K; k0 += TILE_K) {
    loadTiles(lid.y * THREADS_X + lid.x, m0, n0, k0);
    workgroupBarrier();
    let steps = min(TILE_K, params.K - k0);
    for (var k = 0u; k < steps; k++) {
      for (var i = 0u; i < THREAD_M / 4u; i++) { av[i] = tileA[k * QUADS_M + lid.y * (THREAD_M / 4u) + i]; }
      for (var j = 0u; j < THREAD_N / 4u; j++) { bv[j] = tileB[k * QUADS_N + lid.x * (THREAD_N / 4u) + j]; }
      for (var i = 0u; i < THREAD_M; i++) {
        let ai = av[i / 4u][i % 4u];
        for (var j = 0u; j < THREAD_N / 4u; j++) { acc[i][j] += ai * bv[j]; }
      }
    }
    workgroupBarrier();
  }
  if (row >= params.M || col >= params.N) { return; }
  // matmul_store.wgsl stores 4×4 blocks (and the column sums from the blocks of row 0).
  for (var i = 0u; i < THREAD_M; i += 4u) {
    for (var j = 0u; j < THREAD_N / 4u; j++) {
      storeBlock(row + i, col + 4u * j, array<vec4f, 4>(acc[i][j], acc[i + 1u][j], acc[i + 2u][j], acc[i + 3u][j]));
    }
  }
}
