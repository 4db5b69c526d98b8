// The PyTorch DDP folder: which files, the per-rank order file against the lab's sampler and shard plans,
// and data.bin (MNIST as bytes, read back exactly); a named set's classes in the README and data.bin.
import { describe, expect, it } from 'vitest';
import { DDP_FILES } from './codegen';
import { DEFAULT_CONFIG, type RunConfig } from './config';
import { decodeDataFile, encodeDataFile } from './data-file';
import { twoDDataset, type Dataset } from './datasets';
import { ddpExport, orderFile, rankOrder } from './export-ddp';
import { float32Values } from './export-files';
import { initParams, layerSizes, modelLayout, packParams } from './model';
import { batchIndices, epochOrder } from './sampler';
import { epochPlan, shardSpec } from './sharding';

const SPIRAL = twoDDataset('spiral', 3);
const CONFIG: RunConfig = { ...DEFAULT_CONFIG, dataset: 'spiral', layers: [8], batch: 48, epochs: 2, seed: 3 };

/** The order file as [epoch][step][rank] → ids. */
function readOrder(bytes: Uint8Array): number[][][][] {
  const words = Array.from(new Uint32Array(bytes.slice(8).buffer));
  const [, epochs, steps, world] = words;
  let at = 4 + epochs * steps * world;
  return Array.from({ length: epochs }, (_, e) => Array.from({ length: steps }, (_, s) => Array.from({ length: world }, (_, k) => {
    const n = words[4 + (e * steps + s) * world + k];
    at += n;
    return words.slice(at - n, at);
  })));
}

describe('the DDP export', () => {
  it('holds the script, data, order, initial weights and README', () => {
    const layout = modelLayout(layerSizes(CONFIG, 2, 3));
    const files = new Map(ddpExport({ ...CONFIG, replicas: 3 }, SPIRAL, initParams(layout, 3)).map((f) => [f.path, f.bytes]));
    expect([...files.keys()]).toEqual(Object.values(DDP_FILES));
    expect(float32Values(files.get(DDP_FILES.weights)!)).toEqual(packParams(layout, initParams(layout, 3)));
    const readme = new TextDecoder().decode(files.get(DDP_FILES.readme));
    expect(readme).toContain('torchrun --nproc_per_node=3 train_ddp.py');
    expect(readme).toContain('RANK=2 WORLD_SIZE=3 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 python3 train_ddp.py\n');
    expect(readme).not.toContain('labels were names');
  });

  it('lists a set\'s class names in the README and keeps them in data.bin', () => {
    const named: Dataset = { ...SPIRAL, name: 'csv:spiral', classNames: ['arm "a"', 'arm b', 'arm c'] };
    const layout = modelLayout(layerSizes(CONFIG, 2, 3));
    const files = new Map(ddpExport(CONFIG, named, initParams(layout, 3)).map((f) => [f.path, f.bytes]));
    const readme = new TextDecoder().decode(files.get(DDP_FILES.readme));
    expect(readme).toContain('output c of the\nnetwork is class c:\n\n0. "arm \\"a\\""\n1. "arm b"\n2. "arm c"\n');
    expect(decodeDataFile('csv:spiral', files.get(DDP_FILES.data)!).classNames).toEqual(named.classNames);
  });

  it('orders one replica like single-device training: the epoch order in global batches, the last one short', () => {
    const order = readOrder(orderFile(CONFIG, SPIRAL.train.y));
    expect(order[0]).toHaveLength(Math.ceil(800 / 48));
    for (const epoch of [1, 2]) {
      order[epoch - 1].forEach(([ids], s) => expect(ids).toEqual(Array.from(batchIndices(epochOrder(3, epoch, 800), 48, s))));
    }
    expect(order[0].at(-1)![0]).toHaveLength(800 % 48);
  });

  it('droplast=1: one replica and 3 strided replicas both train the 16 whole batches of 48, the short 17th left out', () => {
    const one = readOrder(orderFile({ ...CONFIG, droplast: 1 }, SPIRAL.train.y));
    const three = readOrder(orderFile({ ...CONFIG, replicas: 3, droplast: 1 }, SPIRAL.train.y));
    for (const epoch of [1, 2]) {
      const order = epochOrder(3, epoch, 800);
      expect(one[epoch - 1]).toHaveLength(16);
      expect(three[epoch - 1]).toHaveLength(16);
      one[epoch - 1].forEach(([ids], s) => {
        expect(ids, `epoch ${epoch} step ${s + 1}`).toEqual(Array.from(batchIndices(order, 48, s)));
        expect(three[epoch - 1][s].flat().sort((a, b) => a - b), `epoch ${epoch} step ${s + 1}`).toEqual([...ids].sort((a, b) => a - b));
      });
    }
  });

  for (const shard of ['strided', 'contiguous', 'label'] as const) {
    it(`gives each of 3 replicas its ${shard} shard of every step`, () => {
      const config: RunConfig = { ...CONFIG, replicas: 3, shard, droplast: 1 };
      const order = readOrder(orderFile(config, SPIRAL.train.y));
      const { steps, ids } = rankOrder(config, SPIRAL.train.y);
      expect(order[0]).toHaveLength(steps);
      for (const epoch of [1, 2]) {
        const plan = epochPlan(shardSpec(config), epoch, SPIRAL.train.y);
        for (let s = 0; s < steps; s++) {
          for (let k = 0; k < 3; k++) {
            expect(order[epoch - 1][s][k]).toEqual(Array.from(plan.rankBatch(s, k)));
            expect(ids(epoch, s, k)).toEqual(plan.rankBatch(s, k));
          }
        }
      }
    });
  }

  it('balance=speed: says the lab\'s split by speed has no DistributedSampler equivalent, and cuts each global batch equally', () => {
    const config: RunConfig = { ...CONFIG, replicas: 3, balance: 'speed' };
    const files = new Map(ddpExport(config, SPIRAL, initParams(modelLayout(layerSizes(config, 2, 3)), 3)).map((f) => [f.path, f.bytes]));
    const [readme, script] = [DDP_FILES.readme, DDP_FILES.script].map((p) => new TextDecoder().decode(files.get(p)));
    expect(readme).toContain('DistributedSampler has no such split');
    expect(script).toContain('# the machines it ran on; PyTorch\'s DistributedSampler has no such split');
    const order = readOrder(files.get(DDP_FILES.order)!);
    // 800 = 16 × 48 + 32: 17 steps, none padded; 48 rows cut 16 + 16 + 16, the last 32 cut 11 + 11 + 10.
    const epochOrder2 = epochOrder(3, 2, 800);
    expect(order[1]).toHaveLength(17);
    order[1].forEach((ranks, s) => expect(ranks.flat(), `step ${s + 1}`).toEqual([...epochOrder2.subarray(48 * s, 48 * s + 48)]));
    expect(order[1][0].map((ids) => ids.length)).toEqual([16, 16, 16]);
    expect(order[1][16].map((ids) => ids.length)).toEqual([11, 11, 10]);
  });

  it('says in the README which PyTorch options stand for zero, accumulate and recompute', () => {
    const config: RunConfig = { ...CONFIG, layers: [8, 8, 8], replicas: 2, zero: 2, accumulate: 2, recompute: 1 };
    const files = new Map(ddpExport(config, SPIRAL, initParams(modelLayout(layerSizes(config, 2, 3)), 3)).map((f) => [f.path, f.bytes]));
    const readme = new TextDecoder().decode(files.get(DDP_FILES.readme));
    expect(readme).toContain('zero=2 is FSDP with `ShardingStrategy.SHARD_GRAD_OP`: on CPU (gloo) it needs a recent PyTorch 2;');
    expect(readme).toContain('accumulate=2 runs 2 micro-batches per step, all but the last under `no_sync()`.');
    expect(readme).toContain('recompute=1 checkpoints segments of ⌈√L⌉ layers with `torch.utils.checkpoint` (use_reentrant=False).');
    const plain = new TextDecoder().decode(new Map(ddpExport(CONFIG, SPIRAL, initParams(modelLayout(layerSizes(CONFIG, 2, 3)), 3)).map((f) => [f.path, f.bytes])).get(DDP_FILES.readme));
    expect(plain).not.toMatch(/FSDP|ZeroRedundancyOptimizer|no_sync|torch.utils.checkpoint/);
  });

  it('stores MNIST pixels as bytes and reads them back exactly', () => {
    const bytes = Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 37) % 256);
    const split = { x: Float32Array.from(bytes, (b) => b / 255), y: Uint8Array.of(1, 7, 9), n: 3 };
    const mnist: Dataset = { name: 'mnist', inputs: 784, classes: 10, train: split, test: split };
    const file = encodeDataFile(mnist);
    expect(file.length).toBe(32 + 2 * (3 * 784 + 3));
    expect(decodeDataFile('mnist', file)).toEqual(mnist);
  });
});
