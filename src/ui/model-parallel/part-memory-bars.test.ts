// The model-parallel memory bars: a bar per worker (data × pipeline: per stage of every replica, tensor:
// per rank); recomputation shrinks every stage's activations and nothing else.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../../core/config';
import { splitView, type SplitView } from './model-parallel-data';
import { partMemoryBars } from './part-memory-bars';
import { PartMemoryBars } from './PartMemoryBars';

const config: RunConfig = { ...DEFAULT_CONFIG, layers: [256, 256, 256], batch: 128, mode: 'pipeline', stages: 4, microbatches: 4 };
const view = (c: RunConfig) => splitView(c) as SplitView;

describe('partMemoryBars', () => {
  it('recompute=1 shrinks each stage\'s activations, and nothing else', () => {
    const plain = partMemoryBars(config, view(config));
    const again = partMemoryBars({ ...config, recompute: 1 }, view(config));
    expect(plain).toHaveLength(4);
    plain.forEach((b, stage) => {
      expect(again[stage].activations, `stage ${stage}`).toBeLessThan(b.activations);
      expect({ ...again[stage], activations: 0 }).toEqual({ ...b, activations: 0 });
    });
  });

  it('draws a bar per worker: stages of every replica, or tensor-parallel ranks', () => {
    const html = renderToStaticMarkup(createElement(PartMemoryBars, { config: { ...config, recompute: 1, stages: 2, replicas: 2 }, view: view({ ...config, stages: 2 }) }));
    expect(html).toContain('GPU memory per worker (planned, activations recomputed)');
    expect(html.match(/aria-label="replica \d stage \d: [\d.]+ [kM]B"/g)).toHaveLength(4);
    const tensor = { ...config, mode: 'tensor' as const, stages: 2 };
    expect(renderToStaticMarkup(createElement(PartMemoryBars, { config: tensor, view: view(tensor) })).match(/aria-label="tensor-parallel worker \d/g)).toHaveLength(2);
  });
});
