// Register-blocked matrix multiply: C[M, N] = op(A) · op(B), the 'blocked' candidate.
// Legend: M rows of C, N columns of C, K the shared inner dimension.
// src/gpu/matmul-candidates.ts puts matmul_params.wgsl (binding 0) and matmul_operands.wgsl (bindings 1–2,
// loadA, loadB, rowOfB) before it and matmul_store.wgsl (bindings 3–6: overwrite, accumulate, or the fused
// epilogues) after it.
// Forward uses A·B (X·W); backward uses Aᵀ·B (Xᵀ·dY for dW) and A·Bᵀ (dY·Wᵀ for dX).
// Each thread computes a 4×4 block of C from registers, with no workgroup barriers: small workgroups
// of 8×8 threads (a 32×32 tile) keep every core busy on the small shapes training uses, and software
// rasterisers such as SwiftShader pay heavily for barriers. The inner sum runs k = 0..K−1 in order,
// so results are deterministic, and every other candidate sums the same way (the same bits).

const BLOCK = 4u;

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
