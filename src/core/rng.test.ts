// Seeded RNG: determinism per key, independence across keys, and the ranges of randomBelow, float, permutation.
import { describe, expect, it } from 'vitest';
import { createRng, permutation, randomBelow, Stream, type Rng } from './rng';

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextU32());

/** An Rng that replays fixed 32-bit values, to drive randomBelow's rejection path. */
function scripted(values: number[]): Rng {
  let i = 0;
  const nextU32 = () => values[i++];
  return { nextU32, float: () => nextU32() / 4294967296, normal: () => 0 };
}

function isPermutation(p: ArrayLike<number>, n: number): boolean {
  if (p.length !== n) return false;
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(p[i]) || p[i] < 0 || p[i] >= n || seen[p[i]]) return false;
    seen[p[i]] = 1;
  }
  return true;
}

describe('createRng', () => {
  it('is deterministic for the same keys', () => {
    expect(draw(createRng(7, Stream.order, 3), 100)).toEqual(draw(createRng(7, Stream.order, 3), 100));
    const a = createRng(1);
    const b = createRng(1);
    for (let i = 0; i < 100; i++) {
      expect(a.float()).toBe(b.float());
      expect(a.normal()).toBe(b.normal());
    }
  });

  it('pins the numbers of a known key: share links must reproduce across versions of the lab', () => {
    expect(draw(createRng(1, Stream.init), 3)).toEqual([2172761195, 1962760394, 2919963377]);
    expect(Array.from(permutation(createRng(1, Stream.order, 0), 10))).toEqual([4, 2, 7, 3, 9, 8, 0, 5, 1, 6]);
  });

  it('gives different sequences for different keys', () => {
    const keys: number[][] = [
      [1], [2], [0], [1, 0], [1, Stream.init], [1, Stream.order], [1, Stream.order, 0], [1, Stream.order, 1],
      [2, Stream.order, 0], [0xffffffff], [1, Stream.data], [1, Stream.dataTest], [Stream.order, 1],
    ];
    const seqs = keys.map((k) => draw(createRng(...k), 4).join(','));
    expect(new Set(seqs).size).toBe(keys.length);
  });

  it('treats keys as uint32 (seed 2^32−1 is valid and distinct from 0)', () => {
    expect(draw(createRng(4294967295), 4)).not.toEqual(draw(createRng(0), 4));
  });

  it('nextU32 gives integers in [0, 2^32) that use the whole range', () => {
    const rng = createRng(5);
    let high = 0;
    let low = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = rng.nextU32();
      expect(Number.isInteger(x) && x >= 0 && x < 4294967296).toBe(true);
      if (x >= 2 ** 31) high++;
      else low++;
    }
    expect(Math.abs(high - low)).toBeLessThan(500);
  });

  it('float is in [0, 1) with mean near 1/2', () => {
    const rng = createRng(11);
    let sum = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const f = rng.float();
      expect(f >= 0 && f < 1).toBe(true);
      sum += f;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    expect(scripted([4294967295]).float()).toBeLessThan(1);
  });

  it('normal has mean ≈ 0 and variance ≈ 1, always finite', () => {
    const rng = createRng(13);
    const n = 20_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      expect(Number.isFinite(z)).toBe(true);
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.05);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });
});

describe('randomBelow', () => {
  for (const n of [1, 2, 3, 7, 10, 1000, 2 ** 31 + 5, 4294967295, 4294967296]) {
    it(`stays in [0, ${n})`, () => {
      const rng = createRng(n % 1000, 17);
      for (let i = 0; i < 2000; i++) {
        const x = randomBelow(rng, n);
        expect(Number.isInteger(x) && x >= 0 && x < n).toBe(true);
      }
    });
  }

  it('hits every value of a small range, roughly evenly', () => {
    const rng = createRng(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[randomBelow(rng, 6)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });

  it('rejects draws from the incomplete last block (no modulo bias)', () => {
    // For n = 3 the last full block ends at 2^32 − 1 (exclusive), so 2^32 − 1 must be redrawn.
    expect(randomBelow(scripted([4294967295, 5]), 3)).toBe(2);
    // For n = 2^31 + 1 the limit is 2^31 + 1: 2^31 + 1 and above are redrawn.
    expect(randomBelow(scripted([2 ** 31 + 1, 4294967295, 2 ** 31]), 2 ** 31 + 1)).toBe(2 ** 31);
    expect(randomBelow(scripted([4294967294]), 3)).toBe(4294967294 % 3);
  });
});

describe('permutation', () => {
  for (const n of [0, 1, 2, 5, 100, 9003]) {
    it(`of ${n} holds each of 0..${n}-1 exactly once`, () => {
      const p = permutation(createRng(n, 2), n);
      expect(p).toBeInstanceOf(Uint32Array);
      expect(isPermutation(p, n)).toBe(true);
    });
  }

  it('actually shuffles, and is deterministic for a key', () => {
    const p = permutation(createRng(1, 2), 1000);
    let fixed = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === i) fixed++;
    expect(fixed).toBeLessThan(10);
    expect(permutation(createRng(1, 2), 1000)).toEqual(p);
    expect(permutation(createRng(1, 3), 1000)).not.toEqual(p);
  });

  it('reaches all 6 orders of 3 items', () => {
    const rng = createRng(21);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(permutation(rng, 3).join(''));
    expect(seen.size).toBe(6);
  });
});
