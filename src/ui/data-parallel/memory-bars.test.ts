// The memory bars' figures: ZeRO shrinks each replica's optimizer state to its shard (the shards add up to
// the whole) and drops the backups; accumulation shrinks the activations (and at stage 3 holds the whole
// gradient again); a bar is drawn per replica.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../core/config';
import { replicaMemoryBars } from './memory-bars';
import { MemoryBars } from './MemoryBars';

const config = { ...DEFAULT_CONFIG, dataset: 'spiral' as const, layers: [256, 128], replicas: 4 };

describe('replicaMemoryBars', () => {
  it('zero=1 holds a shard of the optimizer state on each replica and no backups', () => {
    const plain = replicaMemoryBars(config)!;
    const zero = replicaMemoryBars({ ...config, zero: 1 })!;
    expect(plain.every((b) => b.backups === 3 * b['optimizer state'])).toBe(true);
    expect(zero.every((b) => b.backups === 0 && b['optimizer state'] < 0.3 * plain[0]['optimizer state'])).toBe(true);
    expect(zero.reduce((s, b) => s + b['optimizer state'], 0)).toBe(plain[0]['optimizer state']);
    expect(zero[0].parameters).toBe(plain[0].parameters);
  });

  it('draws a bar per replica with its total', () => {
    const html = renderToStaticMarkup(createElement(MemoryBars, { config: { ...config, zero: 2 } }));
    expect(html).toContain('GPU memory per replica (planned, ZeRO stage 2)');
    expect(html.match(/aria-label="replica \d: [\d.]+ [kM]B"/g)).toHaveLength(4);
  });

  it('recompute=1 saves activations for 3 hidden layers, and nothing for one (784-64-10)', () => {
    const deep = { ...config, dataset: 'mnist' as const, layers: [256, 256, 256] };
    expect(replicaMemoryBars({ ...deep, recompute: 1 })![0].activations).toBeLessThan(replicaMemoryBars(deep)![0].activations);
    const seed = { ...DEFAULT_CONFIG, replicas: 2 };
    expect(replicaMemoryBars({ ...seed, recompute: 1 })).toEqual(replicaMemoryBars(seed));
  });

  it('zero=3 with accumulate=4 holds the whole gradient (the micro-batches\' accumulator) beside its shard of it', () => {
    const plain = replicaMemoryBars(config)![0];
    const sharded = replicaMemoryBars({ ...config, zero: 3 })!;
    const accumulated = replicaMemoryBars({ ...config, zero: 3, accumulate: 4 })!;
    accumulated.forEach((b, rank) => {
      expect(b.gradients).toBeGreaterThan(plain.gradients);
      expect(b.gradients).toBeLessThan(plain.gradients + sharded[rank].gradients);
      expect(b.parameters).toBe(sharded[rank].parameters);
    });
  });

  it('accumulate=4 holds a quarter of the activations', () => {
    const one = replicaMemoryBars(config)![0].activations;
    const four = replicaMemoryBars({ ...config, accumulate: 4 })![0].activations;
    expect(four).toBeLessThan(0.3 * one);
  });
});
