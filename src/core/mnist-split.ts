// The fixed MNIST train/test split, from the `mnist` package's per-digit sample lists.
// In digit file d, sample i is a test sample if i % 10 == 9, else a training sample; each set is then
// interleaved round-robin over the digits 0..9 (d0[0], d1[0], …, d9[0], d0[1], …) until all are used.
import { MNIST_PIXELS, MNIST_RECORD_BYTES } from './datasets';

export interface MnistSplitBytes {
  train: Uint8Array;
  test: Uint8Array;
}

/** digits[d] holds the pixels of all samples of digit d, as floats in [0, 1], 784 per sample. */
export function splitMnist(digits: ArrayLike<number>[]): MnistSplitBytes {
  const train: number[][] = digits.map(() => []);
  const test: number[][] = digits.map(() => []);
  digits.forEach((pixels, d) => {
    const count = Math.floor(pixels.length / MNIST_PIXELS);
    for (let i = 0; i < count; i++) (i % 10 === 9 ? test : train)[d].push(i);
  });
  return { train: interleave(digits, train), test: interleave(digits, test) };
}

function interleave(digits: ArrayLike<number>[], picks: number[][]): Uint8Array {
  const total = picks.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total * MNIST_RECORD_BYTES);
  let record = 0;
  for (let round = 0; record < total; round++) {
    for (let d = 0; d < picks.length; d++) {
      if (round >= picks[d].length) continue;
      const src = picks[d][round] * MNIST_PIXELS;
      const base = record * MNIST_RECORD_BYTES;
      for (let j = 0; j < MNIST_PIXELS; j++) out[base + j] = Math.round(Number(digits[d][src + j]) * 255);
      out[base + MNIST_PIXELS] = d;
      record++;
    }
  }
  return out;
}
