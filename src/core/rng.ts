// Seeded random numbers: every random choice in a run (init, data order, 2-D data) comes from here.
// A generator is keyed by (seed, stream, index...) so each use gets its own independent sequence.

export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextU32(): number;
  /** Uniform float in [0, 1) with 32 random bits. */
  float(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/** Stream ids, so adding a new use never shifts the numbers of an existing one. */
export const Stream = { init: 1, order: 2, data: 3, dataTest: 4 } as const;

function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function createRng(...keys: number[]): Rng {
  let state = 0x9e3779b9;
  for (const k of keys) state = mix32(state ^ mix32((k >>> 0) + 0x7f4a7c15));
  // mulberry32: small, fast, and good enough for shuffles and weight init.
  const nextU32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const float = (): number => nextU32() / 4294967296;
  const normal = (): number => {
    const u = 1 - float();
    const v = float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return { nextU32, float, normal };
}

/** Uniform integer in [0, n) without modulo bias. */
export function randomBelow(rng: Rng, n: number): number {
  const limit = 4294967296 - (4294967296 % n);
  for (;;) {
    const x = rng.nextU32();
    if (x < limit) return x % n;
  }
}

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(rng: Rng, n: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randomBelow(rng, i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
