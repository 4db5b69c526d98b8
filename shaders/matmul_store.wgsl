// The shared tail of matmul.wgsl and matmul_vec4.wgsl (src/gpu/matmul.ts appends it to either): C's
// binding and how a thread stores its 4×4 block of C, with the forward and backward epilogues fused in.
// Legend: M rows of C, N columns of C, K the shared inner dimension.
// Bindings: 3 c: C [M, N]; 4 bias [N], read only when BIAS; 5 sums [N], written only when COLUMN_SUMS;
// 6 mask [M, N], read only when MASK. The wrapper fills the unused ones with buffers the kernel never
// touches.
// Stores C = acc; or C += acc when ACCUMULATE (gradient accumulation over pipeline micro-batches); or,
// when BIAS, C = acc + bias, then max(·, 0) when RELU: one pass instead of matmul, bias and ReLU
// kernels, with the same f32 add and max they do, so the same bits.
// MASK (the input gradient δ·Wᵀ of a layer after a ReLU): C = acc where mask > 0, else 0, the ReLU
// backward with the mask being the ReLU's output, the same select relu.wgsl does, so the same bits.
// COLUMN_SUMS (the weight gradient dW = Xᵀ·δ, B = δ [K, N] untransposed): the threads of the first row
// block also store sums[n] = Σ_k B[k, n] (+= when ACCUMULATE), the bias gradient, summed k = 0..K−1 in
// order, as the separate column-sum kernel it replaced did: the same bits with one dispatch fewer.

override ACCUMULATE: bool = false;
override BIAS: bool = false;
override RELU: bool = false;
override COLUMN_SUMS: bool = false;
override MASK: bool = false;

@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> sums: array<f32>;
@group(0) @binding(6) var<storage, read> mask: array<f32>;

fn storeColumnSums(col: u32) {
  var s = vec4f(0.0);
  for (var k = 0u; k < params.K; k++) { s += rowOfB(k, col); }
  for (var j = 0u; j < 4u; j++) {
    let n = col + j;
    if (n < params.N) {
      if (ACCUMULATE) { sums[n] += s[j]; } else { sums[n] = s[j]; }
    }
  }
}

fn storeBlock(row: u32, col: u32, acc: array<vec4f, 4>) {
  if (COLUMN_SUMS && row == 0u) { storeColumnSums(col); }
  var block = acc;
  for (var i = 0u; i < 4u; i++) {
    let m = row + i;
    if (m >= params.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col + j;
      if (n < params.N) {
        let at = m * params.N + n;
        var v = block[i][j];
        if (BIAS) {
          v += bias[n];
          if (RELU) { v = max(v, 0.0); }
        }
        if (MASK) { v = select(0.0, v, mask[at] > 0.0); }
        if (ACCUMULATE) { c[at] += v; } else { c[at] = v; }
      }
    }
  }
}
