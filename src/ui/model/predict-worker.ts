// Web Worker: class probabilities of the float64 reference model for a block of inputs, so that
// predictions over the test set or a boundary grid never block the page.
import { modelLayout } from '../../core/model';
import { predictRef } from '../../core/reference';
import type { PredictRequest, PredictResponse } from './predict-client';

self.onmessage = (e: MessageEvent<PredictRequest>) => {
  const { id, sizes, params, x, n } = e.data;
  const probs = Float32Array.from(predictRef(modelLayout(sizes), params, x, n));
  const reply: PredictResponse = { id, probs };
  (self as unknown as Worker).postMessage(reply, [probs.buffer]);
};
