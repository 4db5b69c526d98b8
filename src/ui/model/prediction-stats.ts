// What the model's class probabilities say about a labelled set: arg-max predictions and the
// confusion matrix (rows = true label, columns = prediction).

/** Index of the largest probability in row r of probs [n, classes] (the first one on ties, like the trainer). */
export function argmaxRow(probs: ArrayLike<number>, r: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (probs[r * classes + c] > probs[r * classes + best]) best = c;
  return best;
}

/** counts[true * classes + predicted] over the n rows. */
export function confusionMatrix(probs: ArrayLike<number>, labels: ArrayLike<number>, n: number, classes: number): Uint32Array {
  const counts = new Uint32Array(classes * classes);
  for (let r = 0; r < n; r++) counts[labels[r] * classes + argmaxRow(probs, r, classes)]++;
  return counts;
}
