// RunConfig URL codec and validation: round trips, the hash format, defaults, and every kind of bad input.
import { describe, expect, it } from 'vitest';
import {
  applyOverrides, ConfigError, DEFAULT_CONFIG, FIELDS, MAX_HIDDEN_LAYERS, parseLink, serializeConfig, type RunConfig,
} from './config';
import { PRESETS } from './presets';
import { createRng, randomBelow } from './rng';

/** Runs fn, expects a ConfigError for `key` whose message contains every fragment. */
function expectConfigError(fn: () => unknown, key: string, ...fragments: string[]): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  expect(err.key).toBe(key);
  expect(err.message.startsWith(`${key}: `)).toBe(true);
  for (const f of fragments) expect(err.message).toContain(f);
  return err;
}

/** A random valid config, drawn field by field from the field table, so new fields are covered too. */
function randomConfig(seed: number): RunConfig {
  const rng = createRng(seed, 99);
  const intIn = (min: number, max: number) => min + randomBelow(rng, max - min + 1);
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) {
    switch (f.kind) {
      case 'enum':
        out[f.key] = f.values[randomBelow(rng, f.values.length)];
        break;
      case 'int':
        out[f.key] = intIn(f.min, f.max);
        break;
      case 'wordOrInt':
        out[f.key] = rng.float() < 0.3 ? f.word : intIn(f.min, f.max);
        break;
      case 'intList':
        // Narrow widths keep the model under the size limit that validateConfig enforces.
        out[f.key] = Array.from({ length: randomBelow(rng, f.maxLength + 1) }, () => intIn(f.min, Math.min(f.max, 512)));
        break;
      case 'number':
        // Every magnitude, including values that String() writes in exponent form, and both ends.
        out[f.key] = [
          f.min + (1 - rng.float()) * (f.max - f.min),
          f.min + Math.pow(10, -1 - randomBelow(rng, 12)) * (1 + rng.float()),
          f.minExclusive ? f.min + 5e-324 : f.min,
          f.max,
        ][randomBelow(rng, 4)];
        break;
    }
  }
  return withRecomputeLimits(withAccumulateLimit(withZeroLimits(withBalanceLimits(withModelParallelLimits(out as unknown as RunConfig)))));
}

/** Every accumulated micro-batch needs a sample of each replica's share (of each pipeline micro-batch). */
function withAccumulateLimit(c: RunConfig): RunConfig {
  const perReplica = Math.ceil(c.batch / c.replicas);
  const most = Math.floor(perReplica / (c.mode === 'pipeline' ? c.microbatches : 1));
  return { ...c, accumulate: Math.max(1, Math.min(c.accumulate, most)) };
}

/** balance=speed only with data-parallel strided gradient all-reduce: the draw keeps it where it fits. */
const withBalanceLimits = (c: RunConfig): RunConfig =>
  (c.balance === 'speed' && (c.mode !== 'data' || c.shard !== 'strided' || c.sync !== 'step') ? { ...c, balance: 'equal' } : c);

/** zero ≥ 1 only with data-parallel gradient all-reduce: the draw keeps it where it fits. */
const withZeroLimits = (c: RunConfig): RunConfig => (c.zero > 0 && (c.mode !== 'data' || c.sync !== 'step') ? { ...c, zero: 0 } : c);

/** recompute=1 with one device, data or pipeline parallelism: the draw keeps it where it fits. */
const withRecomputeLimits = (c: RunConfig): RunConfig => (c.recompute > 0 && c.mode === 'tensor' ? { ...c, recompute: 0 } : c);

/** Repairs the cross-field limits of pipeline and tensor parallelism, which a field-by-field draw ignores. */
function withModelParallelLimits(c: RunConfig): RunConfig {
  if (c.mode === 'data') return c;
  if (c.layers.length === 0) return { ...c, mode: 'data' };
  if (c.mode === 'pipeline') {
    const stages = Math.min(c.stages, c.layers.length + 1);
    const replicas = Math.min(c.replicas, Math.floor(8 / stages));
    return { ...c, sync: 'step', stages, replicas, microbatches: Math.min(c.microbatches, Math.ceil(c.batch / replicas)) };
  }
  return { ...c, sync: 'step', replicas: 1, microbatches: 1, layers: c.layers.map((w, i) => (i % 2 === 0 ? Math.max(w, c.stages) : w)) };
}

describe('round trip', () => {
  for (const preset of PRESETS) {
    it(`parse(serialize(c)) equals c for preset ${preset.name}`, () => {
      expect(parseLink(serializeConfig(preset.config))).toEqual(preset.config);
    });
  }

  it('parse(serialize(c)) equals c for 500 random valid configs', () => {
    for (let s = 0; s < 500; s++) {
      const c = randomConfig(s);
      const link = serializeConfig(c);
      expect(parseLink(link), link).toEqual(c);
      // Parsing on top of a different base must not leak any of the base's values.
      expect(parseLink(link, randomConfig(s + 1000)), link).toEqual(c);
    }
  });

  it('covers the extremes of every range', () => {
    const low: RunConfig = { ...DEFAULT_CONFIG, dataset: 'gauss', layers: [], optimizer: 'sgd', lr: 1e-300, batch: 1, epochs: 1, seed: 0 };
    const high: RunConfig = {
      ...DEFAULT_CONFIG, dataset: 'xor', layers: [4096, 1, 4096], optimizer: 'momentum', lr: 10, batch: 8192, epochs: 1000,
      seed: 4294967295,
    };
    for (const c of [low, high]) expect(parseLink(serializeConfig(c))).toEqual(c);
  });
});

describe('hash format', () => {
  it('writes v first, then every field in table order, starting with the run basics', () => {
    const link = serializeConfig(DEFAULT_CONFIG);
    expect(link.startsWith('v=1&dataset=mnist&layers=64&optimizer=adam&lr=0.001&warmup=0&lrschedule=constant&batch=32&accumulate=1&epochs=10&seed=1')).toBe(true);
    const keys = link.split('&').map((p) => p.split('=')[0]);
    expect(keys.slice(0, 11)).toEqual(['v', 'dataset', 'layers', 'optimizer', 'lr', 'warmup', 'lrschedule', 'batch', 'accumulate', 'epochs', 'seed']);
    expect(keys).toEqual(['v', ...FIELDS.map((f) => f.key)]);
    expect(Object.keys(DEFAULT_CONFIG).sort()).toEqual(FIELDS.map((f) => f.key).sort());
  });

  it('writes layers as plain comma-separated widths, and no hidden layer as an empty value', () => {
    expect(serializeConfig({ ...DEFAULT_CONFIG, layers: [256, 128] })).toContain('&layers=256,128&');
    expect(serializeConfig({ ...DEFAULT_CONFIG, layers: [] })).toContain('&layers=&');
  });

  it('accepts a percent-encoded comma in layers', () => {
    expect(parseLink('layers=256%2C128').layers).toEqual([256, 128]);
  });
});

describe('defaults and accepted input', () => {
  it('an empty link gives the defaults', () => {
    expect(parseLink('')).toEqual(DEFAULT_CONFIG);
    expect(parseLink('#')).toEqual(DEFAULT_CONFIG);
  });

  it('missing keys take the defaults', () => {
    expect(parseLink('dataset=spiral&lr=0.05')).toEqual({ ...DEFAULT_CONFIG, dataset: 'spiral', lr: 0.05 });
    expect(parseLink('v=1&batch=7')).toEqual({ ...DEFAULT_CONFIG, batch: 7 });
  });

  it('missing keys take the given base', () => {
    const base = PRESETS.find((p) => p.name === 'circles')!.config;
    expect(parseLink('seed=9', base)).toEqual({ ...base, seed: 9 });
  });

  it('a full URL with # works', () => {
    const c = parseLink('https://lab.example.org/train/?x=1#v=1&dataset=xor&layers=8,4&lr=0.05&seed=3');
    expect(c).toEqual({ ...DEFAULT_CONFIG, dataset: 'xor', layers: [8, 4], lr: 0.05, seed: 3 });
  });

  it('accepts exponent notation for lr', () => {
    expect(parseLink('lr=1e-3').lr).toBe(0.001);
    expect(parseLink('lr=2.5E-2').lr).toBe(0.025);
  });

  it('an empty layers value means no hidden layers', () => {
    expect(parseLink('layers=').layers).toEqual([]);
  });

  it('accepts the range ends', () => {
    expect(parseLink('lr=10&batch=8192&epochs=1000&seed=4294967295')).toEqual({
      ...DEFAULT_CONFIG, lr: 10, batch: 8192, epochs: 1000, seed: 4294967295,
    });
    expect(parseLink('batch=1&epochs=1&seed=0&layers=1,4096')).toEqual({
      ...DEFAULT_CONFIG, batch: 1, epochs: 1, seed: 0, layers: [1, 4096],
    });
    expect(parseLink(`layers=${Array(MAX_HIDDEN_LAYERS).fill(8).join(',')}`).layers).toHaveLength(MAX_HIDDEN_LAYERS);
  });
});

describe('bad input', () => {
  it('unknown key names the key and the known keys', () => {
    expectConfigError(() => parseLink('momentum=0.9'), 'momentum', 'unknown key', 'dataset, layers, optimizer, lr, warmup, lrschedule, batch, accumulate, epochs, seed');
  });

  it('model-parallel limits name the field and the limit', () => {
    expectConfigError(() => parseLink('mode=pipeline&layers=64&stages=3'), 'stages', 'at most 2', '2 dense layers');
    expectConfigError(() => parseLink('mode=pipeline&batch=8&microbatches=16'), 'microbatches', 'at most the batch (8)');
    expectConfigError(() => parseLink('mode=tensor&replicas=2'), 'replicas', 'must be 1 with mode=tensor');
    expectConfigError(() => parseLink('mode=pipeline&layers=8,8&stages=3&replicas=3'), 'replicas', '9 workers, at most 8');
    expectConfigError(() => parseLink('mode=pipeline&replicas=4&batch=32&microbatches=9'), 'microbatches', 'the batch per replica (8)');
    expectConfigError(() => parseLink('mode=pipeline&sync=4'), 'sync', 'must be step with mode=pipeline');
    expect(parseLink('mode=pipeline&replicas=2&stages=2').replicas).toBe(2);
    expectConfigError(() => parseLink('mode=tensor&layers='), 'layers', 'needs a hidden layer');
    expectConfigError(() => parseLink('mode=tensor&layers=3&stages=4'), 'layers', '3 units, fewer than the 4');
    expectConfigError(() => parseLink('mode=tensor&microbatches=2'), 'microbatches', 'must be 1 with mode=tensor');
    expectConfigError(() => parseLink('mode=pipeline&stages=9'), 'stages', '[2, 8]');
    expect(parseLink('mode=pipeline&layers=256,256,256&stages=4&microbatches=32&schedule=1f1b')).toMatchObject({ stages: 4, microbatches: 32 });
    expect(parseLink('mode=tensor&layers=10,3&stages=4').layers).toEqual([10, 3]);
  });

  it('accumulate and the learning-rate schedule name the field and the limit', () => {
    expect(parseLink('batch=64&replicas=2&accumulate=4')).toMatchObject({ batch: 64, replicas: 2, accumulate: 4 });
    expectConfigError(() => parseLink('accumulate=65'), 'accumulate', '[1, 64]');
    expectConfigError(() => parseLink('batch=8&replicas=2&accumulate=5'), 'accumulate', 'at most the batch per replica (4)');
    expectConfigError(() => parseLink('batch=16&accumulate=17'), 'accumulate', 'at most the batch (16)');
    expectConfigError(() => parseLink('mode=pipeline&batch=32&microbatches=8&accumulate=5'), 'accumulate', 'at most 4', 'accumulate × microbatches (8)');
    expect(parseLink('warmup=50&lrschedule=cosine')).toMatchObject({ warmup: 50, lrschedule: 'cosine' });
    expectConfigError(() => parseLink('lrschedule=step'), 'lrschedule', 'constant|linear|cosine');
    expectConfigError(() => parseLink('warmup=-1'), 'warmup', '[0, 100000]');
  });

  it('balance=speed limits name the field and what it needs', () => {
    expect(parseLink('replicas=3&balance=speed')).toMatchObject({ replicas: 3, balance: 'speed' });
    expectConfigError(() => parseLink('balance=fast'), 'balance', 'equal|speed');
    expectConfigError(() => parseLink('balance=speed&shard=label'), 'balance', 'needs shard=strided', 'shard=label');
    expectConfigError(() => parseLink('balance=speed&sync=4'), 'balance', 'needs sync=step', 'sync=4');
    expectConfigError(() => parseLink('balance=speed&mode=pipeline'), 'balance', 'must be equal with mode=pipeline');
  });

  it('repeated key', () => {
    expectConfigError(() => parseLink('lr=0.1&lr=0.1'), 'lr', 'more than once');
  });

  it('bad enum values list the allowed ones', () => {
    expectConfigError(() => parseLink('dataset=cifar'), 'dataset', 'mnist|spiral|circles|xor|gauss', '"cifar"');
    expectConfigError(() => parseLink('optimizer=Adam'), 'optimizer', 'sgd|momentum|adam', '"Adam"');
  });

  for (const raw of ['0x10', 'NaN', 'Infinity', '-Infinity', '1e400', '0', '-1', '1e-400', '10.000001', '', ' 0.1', '1,5', '1e']) {
    it(`lr=${raw} is rejected with the range (0, 10]`, () => {
      expectConfigError(() => parseLink(`lr=${raw}`), 'lr', '(0, 10]');
    });
  }

  it('a key with no = is a missing value, not a crash', () => {
    expectConfigError(() => parseLink('lr'), 'lr', '(0, 10]');
  });

  const ints: [string, string, string][] = [
    ['batch', '1.5', '[1, 8192]'],
    ['batch', '0', '[1, 8192]'],
    ['batch', '8193', '[1, 8192]'],
    ['batch', 'abc', '[1, 8192]'],
    ['batch', '0x20', '[1, 8192]'],
    ['epochs', '1e9', '[1, 1000]'],
    ['epochs', '0', '[1, 1000]'],
    ['seed', '-1', '[0, 4294967295]'],
    ['seed', '4294967296', '[0, 4294967295]'],
    ['seed', '0.5', '[0, 4294967295]'],
  ];
  for (const [key, raw, range] of ints) {
    it(`${key}=${raw} is rejected with the range ${range}`, () => {
      expectConfigError(() => parseLink(`${key}=${raw}`), key, 'integer', range);
    });
  }

  it('bad layer entries name the entry and the range', () => {
    expectConfigError(() => parseLink('layers=64,abc'), 'layers', '[1, 4096]', '"abc"');
    expectConfigError(() => parseLink('layers=64,,32'), 'layers', '[1, 4096]');
    expectConfigError(() => parseLink('layers=0'), 'layers', '[1, 4096]');
    expectConfigError(() => parseLink('layers=4097'), 'layers', '[1, 4096]');
    expectConfigError(() => parseLink('layers=1.5'), 'layers', '[1, 4096]');
  });

  for (const f of FIELDS) {
    if (f.kind === 'int') {
      it(`${f.key}: the integers just outside [${f.min}, ${f.max}] and a fraction are rejected with the range`, () => {
        for (const raw of [String(f.min - 1), String(f.max + 1), String(f.min + 0.5)]) {
          expectConfigError(() => parseLink(`${f.key}=${raw}`), f.key, `[${f.min}, ${f.max}]`);
        }
        // Accumulating 64 micro-batches takes a batch of 64 or more.
        const base = f.key === 'accumulate' ? 'batch=64&' : '';
        expect(parseLink(`${base}${f.key}=${f.min}`)[f.key]).toBe(f.min);
        expect(parseLink(`${base}${f.key}=${f.max}`)[f.key]).toBe(f.max);
      });
    } else if (f.kind === 'enum') {
      it(`${f.key}: a value outside ${f.values.join('|')} is rejected with the list`, () => {
        expectConfigError(() => parseLink(`${f.key}=${f.values[0].toUpperCase()}`), f.key, f.values.join('|'));
        expectConfigError(() => parseLink(`${f.key}=`), f.key, f.values.join('|'));
        for (const v of f.values) expect(parseLink(`${f.key}=${v}`)[f.key]).toBe(v);
      });
    } else if (f.kind === 'wordOrInt') {
      it(`${f.key}: accepts ${f.word} or an integer in [${f.min}, ${f.max}], nothing else`, () => {
        expect(parseLink(`${f.key}=${f.word}`)[f.key]).toBe(f.word);
        expect(parseLink(`${f.key}=${f.min}`)[f.key]).toBe(f.min);
        expect(parseLink(`${f.key}=${f.max}`)[f.key]).toBe(f.max);
        for (const raw of [String(f.min - 1), String(f.max + 1), '1.5', f.word.toUpperCase(), '', 'Infinity', '0x2']) {
          expectConfigError(() => parseLink(`${f.key}=${raw}`), f.key, f.word, `[${f.min}, ${f.max}]`);
        }
      });
    }
  }

  it('too many hidden layers', () => {
    const nine = Array(MAX_HIDDEN_LAYERS + 1).fill(4).join(',');
    expectConfigError(() => parseLink(`layers=${nine}`), 'layers', `at most ${MAX_HIDDEN_LAYERS}`);
  });

  it('a model too large for the GPU', () => {
    expectConfigError(() => parseLink('layers=4096,4096,4096,4096,4096'), 'layers', 'too large');
  });

  it('malformed percent-encoding', () => {
    expectConfigError(() => parseLink('lr=%E0%A4%A'), 'lr', 'percent-encoding');
    expectConfigError(() => parseLink('dataset=%'), 'dataset', 'percent-encoding');
  });

  it('a very long link or value is refused, quickly', () => {
    expectConfigError(() => parseLink(`seed=1&${'x'.repeat(100_000)}`), 'link', 'too long', '4096');
    expectConfigError(() => parseLink(`layers=${'1'.repeat(300)}`), 'layers', 'too long');
    expectConfigError(() => parseLink(`${'k'.repeat(3000)}=1`), 'k'.repeat(40), 'unknown key');
  });

  it('only version 1 is read', () => {
    expectConfigError(() => parseLink('v=2&lr=0.1'), 'v', 'v=1');
    expectConfigError(() => parseLink('v=&lr=0.1'), 'v', 'v=1');
  });
});

describe('applyOverrides is all or nothing', () => {
  const base: RunConfig = {
    ...DEFAULT_CONFIG, dataset: 'spiral', layers: [16, 8], optimizer: 'sgd', lr: 0.5, batch: 64, epochs: 5, seed: 42,
  };
  const snapshot = structuredClone(base);

  for (const bad of [
    [['lr', '0.1'], ['batch', '2'], ['epochs', '0']],
    [['layers', '32'], ['seed', '7'], ['nope', '1']],
    [['layers', '4,4'], ['dataset', 'xor'], ['layers', '5']],
    [['seed', '3'], ['v', '9']],
  ] as [string, string][][]) {
    it(`a bad entry after good ones changes nothing: ${bad.map(([k, v]) => `${k}=${v}`).join('&')}`, () => {
      expect(() => applyOverrides(base, bad)).toThrow(ConfigError);
      expect(base).toEqual(snapshot);
    });
  }

  it('a good set of entries returns a new object and leaves the base alone', () => {
    const out = applyOverrides(base, [['layers', '32'], ['lr', '0.01']]);
    expect(out).toEqual({ ...snapshot, layers: [32], lr: 0.01 });
    expect(out).not.toBe(base);
    out.layers.push(99);
    expect(base).toEqual(snapshot);
  });

  it('no entries returns a copy equal to the base, not sharing its layers array', () => {
    const out = applyOverrides(base, []);
    expect(out).toEqual(base);
    expect(out.layers).not.toBe(base.layers);
  });
});
