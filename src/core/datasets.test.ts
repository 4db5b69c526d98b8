// Data sets: the seeded 2-D generators (shapes, classes, balance, geometry) and the MNIST binary decoder.
import { describe, expect, it } from 'vitest';
import {
  decodeMnist, loadDataset, loadLabels, MNIST_FILES, MNIST_PIXELS, MNIST_RECORD_BYTES, mnistDataset, mnistLabels, twoDDataset, type Split,
} from './datasets';

const TWO_D = [['spiral', 3], ['circles', 2], ['xor', 2], ['gauss', 2]] as const;

function labelCounts(s: Split, classes: number): number[] {
  const counts = new Array(classes).fill(0);
  for (const y of s.y) counts[y]++;
  return counts;
}

/** Mean of column `col` (0 = x, 1 = y, 2 = radius) over the points of one class. */
function classMean(s: Split, label: number, col: 0 | 1 | 2): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < s.n; i++) {
    if (s.y[i] !== label) continue;
    const [px, py] = [s.x[2 * i], s.x[2 * i + 1]];
    sum += col === 2 ? Math.hypot(px, py) : col === 0 ? px : py;
    n++;
  }
  return sum / n;
}

describe('2-D generators', () => {
  for (const [name, classes] of TWO_D) {
    describe(name, () => {
      const a = twoDDataset(name, 1);

      it('has the right shapes and class count', () => {
        expect(a.name).toBe(name);
        expect(a.inputs).toBe(2);
        expect(a.classes).toBe(classes);
        for (const [s, n] of [[a.train, 800], [a.test, 200]] as const) {
          expect(s.n).toBe(n);
          expect(s.x).toBeInstanceOf(Float32Array);
          expect(s.x).toHaveLength(2 * n);
          expect(s.y).toBeInstanceOf(Uint8Array);
          expect(s.y).toHaveLength(n);
        }
      });

      it('has balanced labels, all valid class ids', () => {
        for (const s of [a.train, a.test]) {
          const counts = labelCounts(s, classes);
          expect(counts.reduce((p, c) => p + c, 0)).toBe(s.n);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
      });

      it('has finite values in a sensible box, not all alike', () => {
        for (const s of [a.train, a.test]) {
          for (const v of s.x) expect(Number.isFinite(v) && Math.abs(v) < 3).toBe(true);
          expect(new Set(s.x).size).toBeGreaterThan(s.x.length * 0.9);
        }
      });

      it('is deterministic for a seed and differs across seeds', () => {
        const again = twoDDataset(name, 1);
        expect(again.train.x).toEqual(a.train.x);
        expect(again.test.x).toEqual(a.test.x);
        expect(again.train.y).toEqual(a.train.y);
        expect(twoDDataset(name, 2).train.x).not.toEqual(a.train.x);
        expect(twoDDataset(name, 2).test.x).not.toEqual(a.test.x);
      });

      it('draws the test points independently of the training points', () => {
        expect(Array.from(a.test.x)).not.toEqual(Array.from(a.train.x.subarray(0, a.test.x.length)));
      });
    });
  }

  it('circles: class 0 is the inner disc, class 1 the ring', () => {
    const d = twoDDataset('circles', 3).train;
    for (let i = 0; i < d.n; i++) {
      const r = Math.hypot(d.x[2 * i], d.x[2 * i + 1]);
      if (d.y[i] === 0) expect(r).toBeLessThan(0.65);
      else expect(r).toBeGreaterThan(0.45);
    }
    expect(classMean(d, 0, 2)).toBeLessThan(0.35);
    expect(classMean(d, 1, 2)).toBeGreaterThan(0.7);
  });

  it('xor: label 0 in quadrants I and III, label 1 in II and IV', () => {
    const d = twoDDataset('xor', 4).train;
    for (let i = 0; i < d.n; i++) {
      const product = d.x[2 * i] * d.x[2 * i + 1];
      expect(d.y[i] === 0 ? product > 0 : product < 0).toBe(true);
    }
  });

  it('gauss: the blobs centre near (−0.4, −0.4) and (0.4, 0.4)', () => {
    const d = twoDDataset('gauss', 5).train;
    for (const [label, c] of [[0, -0.4], [1, 0.4]] as const) {
      expect(Math.abs(classMean(d, label, 0) - c)).toBeLessThan(0.06);
      expect(Math.abs(classMean(d, label, 1) - c)).toBeLessThan(0.06);
    }
  });

  it('spiral: points lie in the unit disc, and each arm is the previous one turned a third of a turn', () => {
    const d = twoDDataset('spiral', 6).train;
    for (let i = 0; i < d.n; i++) expect(Math.hypot(d.x[2 * i], d.x[2 * i + 1])).toBeLessThan(1);
    // Turn each class back by label·120°: the three arms should then have the same mean point.
    const turnedBack = [0, 1, 2].map((label) => {
      const a = (-label * 2 * Math.PI) / 3;
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (let i = 0; i < d.n; i++) {
        if (d.y[i] !== label) continue;
        sx += d.x[2 * i] * Math.cos(a) - d.x[2 * i + 1] * Math.sin(a);
        sy += d.x[2 * i] * Math.sin(a) + d.x[2 * i + 1] * Math.cos(a);
        n++;
      }
      return [sx / n, sy / n];
    });
    const raw = [0, 1, 2].map((label) => [classMean(d, label, 0), classMean(d, label, 1)]);
    for (const label of [1, 2]) {
      expect(Math.hypot(turnedBack[label][0] - turnedBack[0][0], turnedBack[label][1] - turnedBack[0][1])).toBeLessThan(0.1);
      expect(Math.hypot(raw[label][0] - raw[0][0], raw[label][1] - raw[0][1])).toBeGreaterThan(0.2);
    }
  });
});

/** n MNIST records whose pixel j of record r is byte (r + j) % 256 and whose label is r % 10. */
function mnistBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n * MNIST_RECORD_BYTES);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < MNIST_PIXELS; j++) bytes[r * MNIST_RECORD_BYTES + j] = (r + j) % 256;
    bytes[r * MNIST_RECORD_BYTES + MNIST_PIXELS] = r % 10;
  }
  return bytes;
}

describe('decodeMnist', () => {
  it('scales pixels to [0, 1] as byte/255 and reads the labels', () => {
    const s = decodeMnist(mnistBytes(3));
    expect(s.n).toBe(3);
    expect(s.x).toHaveLength(3 * MNIST_PIXELS);
    expect(Array.from(s.y)).toEqual([0, 1, 2]);
    for (let r = 0; r < 3; r++) {
      for (let j = 0; j < MNIST_PIXELS; j++) expect(s.x[r * MNIST_PIXELS + j]).toBe(Math.fround(((r + j) % 256) / 255));
    }
    expect(Math.min(...s.x)).toBe(0);
    expect(Math.max(...s.x)).toBe(1);
  });

  it('decodes an empty file to no samples', () => {
    expect(decodeMnist(new Uint8Array()).n).toBe(0);
  });

  it('rejects a byte length that is not a whole number of records', () => {
    for (const len of [1, MNIST_PIXELS, MNIST_RECORD_BYTES + 1, 2 * MNIST_RECORD_BYTES - 1]) {
      expect(() => decodeMnist(new Uint8Array(len))).toThrow(`${len} bytes`);
    }
  });

  it('mnistDataset has 784 inputs and 10 classes', () => {
    const d = mnistDataset(mnistBytes(4), mnistBytes(2));
    expect([d.name, d.inputs, d.classes, d.train.n, d.test.n]).toEqual(['mnist', 784, 10, 4, 2]);
  });
});

describe('loadDataset', () => {
  it('reads the two MNIST files through the given reader', async () => {
    const asked: string[] = [];
    const d = await loadDataset('mnist', 1, async (file) => {
      asked.push(file);
      return mnistBytes(file === MNIST_FILES.train ? 5 : 2);
    });
    expect(asked.sort()).toEqual([MNIST_FILES.test, MNIST_FILES.train].sort());
    expect([d.train.n, d.test.n]).toEqual([5, 2]);
  });

  it('generates 2-D sets from the seed without reading files', async () => {
    const d = await loadDataset('xor', 9, async () => {
      throw new Error('should not read');
    });
    expect(d.train.x).toEqual(twoDDataset('xor', 9).train.x);
  });
});

describe('loadLabels', () => {
  it('reads MNIST\'s labels as the decoder does, without its pixels', async () => {
    const bytes = (file: string) => mnistBytes(file === MNIST_FILES.train ? 13 : 4);
    const labels = await loadLabels('mnist', 1, async (file) => bytes(file));
    const full = await loadDataset('mnist', 1, async (file) => bytes(file));
    expect(labels.train).toEqual({ y: full.train.y, n: 13 });
    expect(labels.test).toEqual({ y: full.test.y, n: 4 });
    expect([labels.name, labels.inputs, labels.classes]).toEqual(['mnist', 784, 10]);
    expect('x' in labels.train).toBe(false);
    expect(() => mnistLabels(new Uint8Array(MNIST_RECORD_BYTES + 1))).toThrow(`${MNIST_RECORD_BYTES + 1} bytes`);
  });

  it('is the whole set for the generated 2-D sets', async () => {
    expect(await loadLabels('spiral', 3, async () => new Uint8Array())).toEqual(twoDDataset('spiral', 3));
  });
});
