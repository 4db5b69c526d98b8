// Fuzzing the share-link parser with hostile input: every one of more than 10,000 generated links
// either parses to a valid config or fails with a ConfigError that names a key; nothing else escapes,
// nothing hangs, and a parsed config always passes validation again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, FIELDS, parseLink, serializeConfig } from './config';
import { HIDABLE, parseShareLink } from './share-link';

const KEYS = [...FIELDS.map((f) => f.key), 'v', 'expect', 'autostart', 'hide'];
const KNOWN = new Set([...KEYS, 'link', 'preset']);

const hostileValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '0x10', '1e-3', '-0', '0', '1.5', '-3', '', ' ', '+', '.', 'e5',
    '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '%', '%E0%A4%A', '%00', '%2C%2C', '64,,64', '4096,4096,4096,4096,4096,4096,4096,4096,4096'),
  fc.double().map(String),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map(String),
  fc.array(fc.integer({ min: -10, max: 10_000 }), { maxLength: 12 }).map((a) => a.join(',')),
  fc.constantFrom(...FIELDS.flatMap((f) => (f.kind === 'enum' ? [...f.values] : [])), ...HIDABLE),
);
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'LR', 'lr ', '%6Cr'));
const pair = fc.tuple(key, hostileValue, fc.boolean()).map(([k, v, encode]) => `${k}=${encode ? encodeURIComponent(v) : v}`);
const link = fc.oneof(
  fc.array(pair, { maxLength: 14 }).map((pairs) => `#${pairs.join('&')}`),
  fc.string({ maxLength: 300 }),
  fc.array(pair, { minLength: 200, maxLength: 400 }).map((pairs) => `https://lab.example/?x=1#${pairs.join('&')}`),
);

function check(text: string): void {
  try {
    const parsed = parseShareLink(text);
    // A link that parses is a valid config: serialising and parsing again gives the same config.
    expect(parseLink(serializeConfig(parsed.config))).toEqual(parsed.config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError for ${JSON.stringify(text.slice(0, 200))}: ${String(e)}`);
    expect(e.key.length).toBeGreaterThan(0);
    expect(e.key.length).toBeLessThanOrEqual(40);
    expect(e.message.length).toBeLessThan(600);
    if (KNOWN.has(e.key)) return;
    // An unknown key is named as given (truncated), and the message says it is unknown.
    expect(e.message).toMatch(/unknown key|malformed percent-encoding|given more than once/);
  }
}

describe('share link fuzzing', () => {
  it('12,000 hostile links: a valid config or a ConfigError naming the key', () => {
    let runs = 0;
    fc.assert(fc.property(link, (text) => {
      runs++;
      const started = performance.now();
      check(text);
      expect(performance.now() - started).toBeLessThan(1000);
    }), { numRuns: 12_000 });
    expect(runs).toBe(12_000);
  });

  it('"-0" parses to 0, so the config round-trips (a case the fuzzer found)', () => {
    const config = parseShareLink('#droplast=-0&seed=-0').config;
    expect(Object.is(config.droplast, 0) && Object.is(config.seed, 0)).toBe(true);
    expect(parseLink(serializeConfig(config))).toEqual(config);
  });

  it('a 10 MB link is refused quickly without parsing it', () => {
    const huge = `#lr=${'9'.repeat(10_000_000)}`;
    expect(() => parseShareLink(huge)).toThrow(/^link: too long/);
  });
});
