// The shared tail of matmul.wgsl and matmul_vec4.wgsl (src/gpu/matmul.ts appends it to either): C's
// binding and how a thread stores its 4×4 block of C, with the forward epilogue fused in.
// Legend: M rows of C, N columns of C.
// Bindings: 3 c: C [M, N]; 4 bias [N], read only when BIAS (otherwise the wrapper binds B there, unread).
// Stores C = acc; or C += acc when ACCUMULATE (gradient accumulation over pipeline micro-batches); or,
// when BIAS, C = acc + bias, then max(·, 0) when RELU: one pass instead of matmul, bias and ReLU
// kernels, with the same f32 add and max they do, so the same bits.

override ACCUMULATE: bool = false;
override BIAS: bool = false;
override RELU: bool = false;

@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

fn storeBlock(row: u32, col: u32, acc: array<vec4f, 4>) {
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
        if (ACCUMULATE) { c[at] += v; } else { c[at] = v; }
      }
    }
  }
}
