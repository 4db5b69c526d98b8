// The model's class probabilities over a labelled split, computed in the prediction worker whenever
// the weights change; the result names the weights it belongs to.
import { useEffect, useState } from 'react';
import type { Split } from '../../core/datasets';
import type { ModelLayout } from '../../core/model';
import type { RunWeights } from './model-weights';
import { predictLatest } from './predict-client';

export interface SplitPredictions {
  weights: RunWeights;
  /** [n, classes]. */
  probs: Float32Array;
}

export function useSplitPredictions(lane: string, layout: ModelLayout, weights: RunWeights, split: Split | null): SplitPredictions | null {
  const [result, setResult] = useState<SplitPredictions | null>(null);
  useEffect(() => {
    if (!split) return;
    let live = true;
    void predictLatest(lane, { sizes: layout.sizes, params: weights.params, x: split.x, n: split.n }).then((probs) => {
      if (live && probs) setResult({ weights, probs });
    });
    return () => { live = false; };
  }, [lane, layout, weights, split]);
  return result;
}
