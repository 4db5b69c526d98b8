// The head every matmul program starts with (src/gpu/matmul-candidates.ts puts it first): the shape
// uniform and the transpose overrides.
// Legend: M rows of C, N columns of C, K the shared inner dimension.
// Bindings: 0 params (MatmulParams).

struct MatmulParams {
  M: u32,
  N: u32,
  K: u32,
  _pad: u32,
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;

@group(0) @binding(0) var<uniform> params: MatmulParams;
