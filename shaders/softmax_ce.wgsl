// Softmax + sparse categorical cross-entropy, forward and fused backward, in one workgroup.
// Legend: B rows (batch), C classes.
// Bindings: 0 params (SoftmaxCeParams); 1 logits [B, C]; 2 labels [B] (u32); 3 dlogits [B, C];
// 4 stats (LossStats): the batch's summed loss and its count of correct arg-max predictions, or, with
// accumulate = 1, those added to what stats holds (the micro-batches of one step, in their order).
// Per row: m = max z, lse = m + log Σ exp(z − m), loss = lse − z[label],
// dlogits = (softmax(z) − onehot(label))·scale, where scale is 1/B of the global batch.
// Row partials are summed per thread in row order, then by a fixed tree: deterministic.

struct SoftmaxCeParams {
  B: u32,
  C: u32,
  scale: f32,
  accumulate: u32,
}

struct LossStats {
  lossSum: f32,
  correct: u32,
}

@group(0) @binding(0) var<uniform> params: SoftmaxCeParams;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: LossStats;

const THREADS = 64u;
var<workgroup> partialLoss: array<f32, THREADS>;
var<workgroup> partialCorrect: array<u32, THREADS>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let C = params.C;
  var loss = 0.0;
  var correct = 0u;
  for (var r = lid.x; r < params.B; r += THREADS) {
    let row = r * C;
    var m = logits[row];
    var arg = 0u;
    for (var c = 1u; c < C; c++) {
      let z = logits[row + c];
      if (z > m) { m = z; arg = c; }
    }
    var sum = 0.0;
    for (var c = 0u; c < C; c++) { sum += exp(logits[row + c] - m); }
    let label = labels[r];
    loss += log(sum) + m - logits[row + label];
    if (arg == label) { correct += 1u; }
    let inv = 1.0 / sum;
    for (var c = 0u; c < C; c++) {
      let p = exp(logits[row + c] - m) * inv;
      dlogits[row + c] = (p - select(0.0, 1.0, c == label)) * params.scale;
    }
  }
  partialLoss[lid.x] = loss;
  partialCorrect[lid.x] = correct;
  workgroupBarrier();
  for (var stride = THREADS / 2u; stride > 0u; stride /= 2u) {
    if (lid.x < stride) {
      partialLoss[lid.x] += partialLoss[lid.x + stride];
      partialCorrect[lid.x] += partialCorrect[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u && params.accumulate != 0u) {
    stats.lossSum += partialLoss[0];
    stats.correct += partialCorrect[0];
  } else if (lid.x == 0u) {
    stats.lossSum = partialLoss[0];
    stats.correct = partialCorrect[0];
  }
}
