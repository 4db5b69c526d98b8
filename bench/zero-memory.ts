// Prints, for a data-parallel preset at each ZeRO stage, one replica's planned GPU memory by kind
// (core/memory-plan.ts; the data sets left out: every stage holds the same) and the bytes each replica sends
// in one step, measured by running the ring's exchanges in process (the model's shapes, zero-filled vectors)
// against the formulas: 2K(N−1)/N for DDP and stages 1 and 2, 3K(N−1)/N for stage 3 (K: the model in float64),
// (2k + 1)K(N−1)/N with accumulate=k (each micro-batch gathers the layers again).
// npx tsx bench/zero-memory.ts [preset] [accumulate]   (default zero-stages, the preset's accumulate)
import { MessageChannel } from 'node:worker_threads';
import { datasetShape } from '../src/core/datasets';
import { bytesByKind, trainerBuffers, type MemoryKind } from '../src/core/memory-plan';
import { layerSizes, modelLayout, type ModelLayout } from '../src/core/model';
import { findPreset } from '../src/core/presets';
import { layerRanges, ownedChunk, shardOf, zeroBounds } from '../src/core/zero-shards';
import { AllreduceRounds, ringLinks } from '../src/parallel/allreduce';
import { LayerExchange } from '../src/parallel/zero3-step';

const name = process.argv[2] ?? 'zero-stages';
const preset = findPreset(name);
if (!preset || preset.config.mode !== 'data' || preset.config.replicas < 2) throw new Error(`${name}: not a data-parallel preset with replicas`);
const config = { ...preset.config, accumulate: Number(process.argv[3] ?? preset.config.accumulate) };
const N = config.replicas;
const shape = datasetShape(config.dataset);
const layout = modelLayout(layerSizes(config, shape.inputs, shape.classes));
const P = layout.totalFloats;
// A replica's rows: its micro-batch or an evaluation chunk of 512.
const maxRows = Math.max(Math.ceil(config.batch / config.accumulate), 512);
const KINDS: MemoryKind[] = ['parameters', 'gradients', 'optimizer state', 'backups', 'activations', 'communication'];
const mb = (bytes: number) => (bytes / 1e6).toFixed(2);

/** Bytes each rank sends in one step at `stage`, from the ring's own code over in-process ports. */
async function stepBytes(stage: number): Promise<number[]> {
  const channels = Array.from({ length: N }, () => new MessageChannel());
  const ranks = Array.from({ length: N }, (_, r) => new AllreduceRounds(ringLinks(r, N, channels[(r + N - 1) % N].port2 as never, channels[r].port1 as never)));
  const bounds = zeroBounds(P, N);
  const sent = await Promise.all(ranks.map(async (ring, r) => {
    if (stage === 0) return (await ring.sum(new Float32Array(P))).bytesSent;
    const own = ownedChunk(r, N);
    if (stage === 1) {
      const scattered = await ring.reduceScatter(new Float32Array(P), bounds, own);
      return scattered.bytesSent + (await ring.allGather(new Float32Array(bounds[own + 1] - bounds[own]), P, bounds, own)).bytesSent;
    }
    // Stages 2 and 3 reduce-scatter layer by layer; stage 3 gathers each layer twice, stage 2 the whole weights once.
    const shard = shardOf(r, N, P);
    const exchange = new LayerExchange(ring, { layout, ranges: layerRanges(layout.layers, P), shard, weights: new Float32Array(shard.hi - shard.lo) }, r, N);
    // Every micro-batch but the last gathers each layer for its forward and its backward and sends no gradient.
    for (let k = 0; stage === 3 && k < config.accumulate - 1; k++) {
      for (let l = 0; l < 2 * layout.layers.length; l++) await exchange.gather(l % layout.layers.length);
    }
    for (let l = 0; stage === 3 && l < layout.layers.length; l++) await exchange.gather(l);
    for (let l = layout.layers.length - 1; l >= 0; l--) {
      if (stage === 3) await exchange.gather(l);
      await exchange.scatter(l, new Float32Array(exchange.layerFloats(l)));
    }
    if (stage === 2) await exchange.gatherAll();
    return exchange.bytesSent;
  }));
  channels.forEach((c) => [c.port1, c.port2].forEach((p) => p.close()));
  return sent;
}

function plan(stage: number, rank: number, m: ModelLayout): Record<MemoryKind, number> {
  return bytesByKind(trainerBuffers({
    layout: m, maxRows, accumulate: config.accumulate, trainSamples: 0, testSamples: 0, staging: true, backups: stage === 0,
    zero: stage > 0 ? { stage, rank, world: N } : undefined,
  }));
}

console.log(`${name}: layers ${layout.sizes.join('-')} (${P} floats with padding), ${N} replicas, batch ${config.batch}, accumulate ${config.accumulate}, ${config.optimizer}, rows ${maxRows}`);
console.log(`stage | ${KINDS.join(' | ')} | total (MB, rank 0; data sets left out) | bytes sent per replica per step (ranks) | formula`);
const K = P * 8;
for (const stage of [0, 1, 2, 3]) {
  const kinds = plan(stage, 0, layout);
  const total = KINDS.reduce((s, k) => s + kinds[k], 0);
  const formula = ((stage === 3 ? 2 * config.accumulate + 1 : 2) * K * (N - 1)) / N;
  const sent = await stepBytes(stage);
  const mean = sent.reduce((a, b) => a + b, 0) / N;
  console.log(`${stage} | ${KINDS.map((k) => mb(kinds[k])).join(' | ')} | ${mb(total)} | ${sent.join(', ')} (mean ${mean}) | ${formula}`);
}
