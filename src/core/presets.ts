// Named starting points for a run, each with a paragraph on what it shows: the classic Keras MNIST
// example, data parallelism as a large batch, non-IID shards with local SGD, a diverging run, the large-batch
// learning-rate warm-up, ZeRO's sharded state, pipeline parallelism and its activation recomputation, tensor
// parallelism, 2-D demos.
import { DEFAULT_CONFIG, type RunConfig } from './config';

export interface Preset {
  name: string;
  title: string;
  /** One paragraph: what to look at, and what to compare it with. */
  description: string;
  config: RunConfig;
}

const QUICK_MNIST: RunConfig = { ...DEFAULT_CONFIG, batch: 128, epochs: 3 };

/**
 * The large-batch recipe on MNIST: 32× the batch of SGD with momentum at 0.05, so 32× the rate, cosine decay
 * over 10 epochs of 8 whole batches. Measured with the CLI (npm run train -- --preset … --json): test accuracy
 * 45.0% without a warm-up, 93.0% with 40 steps of it; batch 32 at lr 0.05 for the same 10 epochs reaches 96.1%.
 */
const LARGE_BATCH: RunConfig = {
  ...DEFAULT_CONFIG, optimizer: 'momentum', lr: 1.6, lrschedule: 'cosine', batch: 1024, epochs: 10, droplast: 1,
};

/** A network deep enough to split into 4 pipeline stages: 784-256-256-256-10. */
const DEEP_MNIST: RunConfig = { ...DEFAULT_CONFIG, layers: [256, 256, 256], batch: 64, epochs: 1, mode: 'pipeline', stages: 4 };

const twoD = (dataset: RunConfig['dataset'], title: string, description: string): Preset => ({
  name: dataset,
  title,
  description,
  config: { ...DEFAULT_CONFIG, dataset, layers: [16, 16], lr: 0.01, batch: 16, epochs: 20 },
});

export const PRESETS: readonly Preset[] = [
  {
    name: 'seed-mnist',
    title: 'MNIST 784-64-10, Adam, batch 32, 10 epochs (the classic Keras example)',
    description: 'The network of the Keras MNIST tutorial: 784 pixels in, one hidden layer of 64 ReLU units, 10 softmax '
      + 'outputs, sparse categorical cross-entropy and Adam at 0.001, batch 32 for 10 epochs. The test accuracy climbs '
      + 'past 90% in the first epoch and creeps up from there; the training loss is noisy because each point is one batch.',
    config: DEFAULT_CONFIG,
  },
  {
    name: 'quick-mnist',
    title: 'MNIST 784-64-10, Adam, batch 128, 3 epochs',
    description: 'The same network with four times the batch and three epochs: a quarter of the steps per epoch, so it '
      + 'finishes quickly. Each step averages more samples, so the loss curve is smoother than with batch 32.',
    config: QUICK_MNIST,
  },
  {
    name: 'data-parallel-4',
    title: 'Data parallel = large batch: MNIST on 4 replicas, batch 128',
    description: 'Quick MNIST split over 4 replicas, each a worker with its own GPU device training 32 of the 128 samples '
      + 'of every step. The gradients are summed after each step, so this is the same computation as one device with '
      + 'batch 128: train it, then set Replicas to 1 and train again. Every step\'s loss agrees within 1e-6 (the sums '
      + 'are added in another order, so the last bits of the weights and the checksum differ); the time and the worker '
      + 'lanes differ. droplast=1 leaves out each epoch\'s short last batch, which 4 replicas would pad with a repeat.',
    config: { ...QUICK_MNIST, replicas: 4, droplast: 1 },
  },
  {
    name: 'non-iid-local-sgd',
    title: 'Non-IID shards with local SGD: 4 replicas, shard by label, average every 8 steps',
    description: 'Each replica sees only its own digits (class c goes to replica c mod 4) and trains alone for 8 steps '
      + 'before the weights are averaged. Between averages the replicas drift apart: their losses split in the '
      + 'per-replica chart and the drift shows after each sync. Compare with sync=step to see what averaging every '
      + 'step buys, and with shard=strided to see what non-IID data costs.',
    config: { ...QUICK_MNIST, replicas: 4, shard: 'label', sync: 8 },
  },
  {
    name: 'lr-too-high',
    title: 'Learning rate too high: spiral with SGD at lr 5',
    description: 'Plain SGD with a step size far too large for this network: the first steps overshoot and the loss '
      + 'jumps from about 1 to thousands; the huge updates kill most ReLU units, and the network never recovers: the '
      + 'accuracy stays at chance (one in three) for all 20 epochs. Lower the learning rate to 0.1 and train again to '
      + 'see the same network learn the spiral.',
    config: { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [64, 64], optimizer: 'sgd', lr: 5, batch: 16, epochs: 20 },
  },
  {
    name: 'large-batch-no-warmup',
    title: 'Large batch without warm-up: MNIST, batch 1024 at the linearly scaled rate 1.6',
    description: 'SGD with momentum trains MNIST well at batch 32 and lr 0.05 (96.1% after 10 epochs). Here the batch is '
      + '32 times larger and so is the learning rate (Goyal et al.\'s linear scaling rule), with a cosine decay: 8 steps '
      + 'an epoch, 80 in all. The very first steps hit random weights at the full rate 1.6: after the first epoch the test '
      + 'loss is 2.9 and the accuracy 19%, and the run never catches up: 45% after 10 epochs. Then pick the warm-up preset.',
    config: LARGE_BATCH,
  },
  {
    name: 'large-batch-warmup',
    title: 'Large batch with warm-up: the same run, the rate climbing to 1.6 over 40 steps',
    description: 'The same batch of 1024, rate 1.6 and cosine decay, but the learning rate climbs linearly from 0.04 to 1.6 '
      + 'over the first 40 steps (5 epochs) before it decays (the Learning rate chart shows it). The early, small steps '
      + 'move the random weights somewhere the large rate can work: 80% after the first epoch and 93.0% after the same '
      + '80 steps, against 45% without the warm-up, in a 32nd of batch 32\'s 2,810 steps (96.1%). Set Warm-up to 0 to see '
      + 'it fail again.',
    config: { ...LARGE_BATCH, warmup: 40 },
  },
  {
    name: 'accumulate-vs-batch',
    title: 'Gradient accumulation: the warm-up run on 2 replicas, each adding up 4 micro-batches of 128',
    description: 'The run of large-batch-warmup, but each of 2 replicas cuts its 512 samples of every step into 4 '
      + 'micro-batches of 128 and adds up their gradients before the one all-reduce and update, as DDP does with '
      + 'no_sync: the batch field reads 1024 = 4 micro-batches × 128 rows × 2 replicas. The update is still the whole '
      + 'batch\'s: the first 10 steps\' losses agree with one device to 1e-7, all 80 to 3e-5 (float32 sums in another '
      + 'order, grown by the large rate), and the test accuracy is the same 93.0%. Set Accumulate or Replicas to 1 to compare.',
    config: { ...LARGE_BATCH, warmup: 40, replicas: 2, accumulate: 4 },
  },
  {
    name: 'zero-stages',
    title: 'ZeRO stages 0 to 3: MNIST 784-256-256-256-10 on 4 replicas, the optimizer state sharded (stage 1)',
    description: 'Compare the stages on one run: set ZeRO stage to 0, 1, 2 or 3 and train again. At stage 1 each of 4 '
      + 'replicas keeps Adam\'s m and v for a quarter of the 335,168 weights and updates only those; the gradient is '
      + 'reduce-scattered and the weights all-gathered, the same ring traffic as DDP (4.02 MB per replica per step). The '
      + 'memory bars show each replica\'s plan: 9.5 MB against 19.5 MB at zero=0 (Adam 0.67 MB instead of 2.68 MB, and no '
      + 'good-state backups, 8.04 MB), the MNIST split on top of every stage. Stage 2 reduce-scatters each layer\'s '
      + 'gradient as the backward reaches it and keeps a quarter of it and one layer (8.75 MB), the same traffic. Stage 3 holds a quarter of the weights and of the gradient and one layer of '
      + 'each at a time (8.55 MB; the 784×256 first layer is 60% of this model, so its layer buffers keep most of it), and '
      + 'gathers each layer before its forward and its backward: 6.03 MB per replica per step, 3K(N−1)/N. The update is '
      + 'elementwise, so the steps are the same at every stage (from the CLI, zero=0 and zero=1 both end at 92.3% with '
      + 'weights checksum 7482b518…). Numbers: npx tsx bench/zero-memory.ts.',
    config: { ...QUICK_MNIST, layers: [256, 256, 256], epochs: 1, replicas: 4, droplast: 1, zero: 1 },
  },
  {
    name: 'zero3-too-big',
    title: 'ZeRO stage 3: a model too big for one worker\'s memory trains on 4 replicas',
    description: 'MNIST 784-1024-1024-1024-1024-10 (3.96M weights) with each worker allowed 78 MiB (memlimit=78). At '
      + 'zero=0 a replica plans 213.8 MiB (the weights, the gradient, Adam\'s m and v, two good-state backups and the '
      + 'readback staging: 11 copies of the 15.8 MB model) and the run is refused, naming the limit; stage 1 plans '
      + '100.4 MiB and stage 2 82.0 MiB, still over. Stage 3 plans 74.7 MiB: a quarter of the weights, gradient and Adam '
      + 'state, and one layer of weights and one of gradients (4.2 MB each) at a time, so it trains. The MNIST split as this lab ships it (31 MB) '
      + 'is on every replica at every stage. Set ZeRO stage to 0 to see the refusal.',
    config: { ...QUICK_MNIST, layers: [1024, 1024, 1024, 1024], epochs: 1, replicas: 4, droplast: 1, zero: 3, memlimit: 78 },
  },
  {
    name: 'pipeline-bubbles-1',
    title: 'Pipeline bubbles: 784-256-256-256-10 on 4 stages, 1 micro-batch',
    description: 'Each of 4 workers holds one layer. With the whole batch as one micro-batch, stage 2 waits for stage 1, '
      + 'stage 3 for stage 2, and so on, forward and then backward: in the timeline only one stage works at a time, and '
      + 'the measured bubble is near the theory (p−1)/(m+p−1) = 3/4. Then pick the 8 micro-batch preset: the stages overlap '
      + 'and the bubble drops to 3/11. The losses match one device with batch 64 either way.',
    config: { ...DEEP_MNIST, microbatches: 1 },
  },
  {
    name: 'pipeline-bubbles-8',
    title: 'Pipeline bubbles: the same 4 stages, 8 micro-batches (GPipe)',
    description: 'The batch of 64 is cut into 8 micro-batches of 8. A stage passes each micro-batch on as soon as it is '
      + 'done, so all four work at once in the middle of the step: the bubble shrinks to (p−1)/(m+p−1) = 3/11. GPipe runs '
      + 'every forward before any backward, so each stage keeps the activations of all 8 micro-batches.',
    config: { ...DEEP_MNIST, microbatches: 8 },
  },
  {
    name: 'gpipe-vs-1f1b',
    title: 'GPipe vs 1F1B memory: 4 stages, 8 micro-batches, one-forward-one-backward',
    description: 'The same pipeline with the 1F1B schedule: after a warm-up each stage alternates one forward and one '
      + 'backward, so stage k holds at most 4 − k micro-batches of activations instead of all 8. The memory table shows the '
      + 'first stage at half of GPipe\'s and the last at an eighth; the bubble is the same, and so are the losses.',
    config: { ...DEEP_MNIST, microbatches: 8, schedule: '1f1b' },
  },
  {
    name: 'recompute-pipeline',
    title: 'Activation recomputation: 784-256-256-256-10 over 2 stages, 8 micro-batches (GPipe), recompute=1',
    description: 'GPipe keeps every micro-batch\'s activations until its backward: 8 of them on each stage. With '
      + 'recompute=1 a stage keeps only each micro-batch\'s input (and its output gradient) and re-runs its forward for '
      + 'that micro-batch just before the backward, into one shared set: the R spans in the timeline. Switch recompute to 0 '
      + 'and compare the memory bars (drawn to recompute=0\'s scale) and the activation bytes in the table: stage 1, three '
      + 'layers, holds 170 kB of in-flight activations instead of 403 kB; stage 0, one layer whose kept input is the 784 '
      + 'pixels, 549 kB instead of 664 kB. The steps take longer by the extra forwards; the losses and the final checksum '
      + 'are the same bits.',
    config: { ...DEEP_MNIST, stages: 2, batch: 128, microbatches: 8, recompute: 1 },
  },
  {
    name: 'tensor-parallel',
    title: 'Tensor parallel: 784-256-10 with every layer split across 4 workers',
    description: 'Megatron-style: each worker holds 64 of the 256 hidden units (a column slice of W1) and the matching 64 '
      + 'rows of W2. The hidden layer needs no communication; the output layer\'s partial results are summed across the '
      + 'workers every forward, and the input gradients every backward. Each worker holds a quarter of the weights and the '
      + 'losses match one device.',
    config: { ...DEFAULT_CONFIG, layers: [256], batch: 64, epochs: 1, mode: 'tensor', stages: 4 },
  },
  twoD('spiral', 'Three interleaved spiral arms',
    'Three classes wound around each other: no straight line separates them, so the network needs both hidden '
    + 'layers to bend its decision boundary along the arms. It trains in seconds; watch the accuracy step up as each '
    + 'arm is learned.'),
  twoD('circles', 'A ring around a disc',
    'One class inside, one around it. A single ReLU layer can already cut a polygon around the disc; the loss falls '
    + 'quickly once the first units point outwards.'),
  twoD('xor', 'Four quadrants, XOR labels',
    'Opposite quadrants share a label, the classic problem a linear model cannot solve. Remove the hidden layers '
    + '(empty Hidden layers) to see the accuracy stay near 50%.'),
  twoD('gauss', 'Two overlapping Gaussian blobs',
    'Two clouds of points that overlap, so no model gets every point right: the test accuracy levels off below 100% '
    + 'while the training loss keeps inching down, the first sign of fitting noise.'),
];

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}
