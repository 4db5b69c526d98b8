// Register-blocked matrix multiply with vec4 loads: C[M, N] = op(A)·op(B), the fast path of matmul.wgsl
// for shapes whose vectorised dimensions are multiples of 4 (src/gpu/matmul.ts picks it):
//   A·B   (X·W)    K % 4 = 0 and N % 4 = 0: A rows read as vec4 along k, B rows as vec4 along n;
//   Aᵀ·B  (Xᵀ·δ)   M % 4 = 0 and N % 4 = 0: A [K, M] read as vec4 along m, B as vec4 along n;
//   A·Bᵀ  (δ·Wᵀ)   K % 4 = 0: A and B [N, K] both read as vec4 along k.
// Legend: M rows of C, N columns of C, K the shared inner dimension.
// Bindings: 0 params (MatmulParams); 1 a: A [M, K], or [K, M] when TRANS_A; 2 b: B [K, N], or [N, K]
// when TRANS_B; 3 c and 4 bias: see matmul_store.wgsl. src/gpu/matmul-candidates.ts puts
// matmul_params.wgsl (the params, TRANS_A, TRANS_B) before it and matmul_store.wgsl after it.
// Each thread of an 8×8 workgroup computes a 4×4 block of C from registers, with no barriers (as in
// matmul.wgsl), and sums k = 0..K−1 in order with the same multiply-adds, so both kernels give the
// same bits. Rows and columns past M and N are clamped on load and never stored.

@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;

/** B[k, col..col+3] of an untransposed B (column sums use it; the wrapper allows them only then). */
fn rowOfB(k: u32, col: u32) -> vec4f {
  return b[k * (params.N / 4u) + col / 4u];
}

/** One k-step of Aᵀ·B for the 4×4 block at column quad q.x and row quad q.y. */
fn accumulateTransA(acc: ptr<function, array<vec4f, 4>>, k: u32, q: vec2u) {
  let av = a[k * (params.M / 4u) + q.y];
  let bv = b[k * (params.N / 4u) + q.x];
  (*acc)[0] += av.x * bv;
  (*acc)[1] += av.y * bv;
  (*acc)[2] += av.z * bv;
  (*acc)[3] += av.w * bv;
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.y * 4u;
  let col = gid.x * 4u;
  if (row >= params.M || col >= params.N) { return; }
  var acc: array<vec4f, 4>;
  let rows = min(vec4u(row, row + 1u, row + 2u, row + 3u), vec4u(params.M - 1u));
  let cols = min(vec4u(col, col + 1u, col + 2u, col + 3u), vec4u(params.N - 1u));
  let K4 = params.K / 4u;
  let N4 = params.N / 4u;
  if (TRANS_A) {
    // A [K, M]: vec4 over 4 rows of C; B [K, N]: vec4 over 4 columns. k runs 0..K−1 in order, four
    // steps per iteration (a CPU rasteriser pays for every loop branch), then the remainder.
    var k = 0u;
    for (; k + 4u <= params.K; k += 4u) {
      accumulateTransA(&acc, k, gid.xy);
      accumulateTransA(&acc, k + 1u, gid.xy);
      accumulateTransA(&acc, k + 2u, gid.xy);
      accumulateTransA(&acc, k + 3u, gid.xy);
    }
    for (; k < params.K; k++) { accumulateTransA(&acc, k, gid.xy); }
  } else {
    for (var k4 = 0u; k4 < K4; k4++) {
      let a0 = a[rows.x * K4 + k4];
      let a1 = a[rows.y * K4 + k4];
      let a2 = a[rows.z * K4 + k4];
      let a3 = a[rows.w * K4 + k4];
      var bk: array<vec4f, 4>;
      if (TRANS_B) {
        // B [N, K]: vec4 over k for each of the 4 columns; transpose to rows of k.
        let c0 = b[cols.x * K4 + k4];
        let c1 = b[cols.y * K4 + k4];
        let c2 = b[cols.z * K4 + k4];
        let c3 = b[cols.w * K4 + k4];
        bk[0] = vec4f(c0.x, c1.x, c2.x, c3.x);
        bk[1] = vec4f(c0.y, c1.y, c2.y, c3.y);
        bk[2] = vec4f(c0.z, c1.z, c2.z, c3.z);
        bk[3] = vec4f(c0.w, c1.w, c2.w, c3.w);
      } else {
        let k = k4 * 4u;
        bk[0] = b[k * N4 + gid.x];
        bk[1] = b[(k + 1u) * N4 + gid.x];
        bk[2] = b[(k + 2u) * N4 + gid.x];
        bk[3] = b[(k + 3u) * N4 + gid.x];
      }
      acc[0] += a0.x * bk[0]; acc[0] += a0.y * bk[1]; acc[0] += a0.z * bk[2]; acc[0] += a0.w * bk[3];
      acc[1] += a1.x * bk[0]; acc[1] += a1.y * bk[1]; acc[1] += a1.z * bk[2]; acc[1] += a1.w * bk[3];
      acc[2] += a2.x * bk[0]; acc[2] += a2.y * bk[1]; acc[2] += a2.z * bk[2]; acc[2] += a2.w * bk[3];
      acc[3] += a3.x * bk[0]; acc[3] += a3.y * bk[1]; acc[3] += a3.z * bk[2]; acc[3] += a3.w * bk[3];
    }
  }
  storeBlock(row, col, acc);
}
