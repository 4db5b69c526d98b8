// The class wire format: vectors come back bit for bit (NaN payloads, −0, subnormals), numbers JSON cannot
// hold survive, link ends are named and rebuilt, and a malformed message is refused rather than half read.
import { describe, expect, it } from 'vitest';
import { decode, encode, WireError } from './wire';

const bits = (v: Float32Array | Float64Array) => [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)];

/** Encodes, turns the JSON to text and back as the socket does, and decodes. */
function roundTrip<T>(value: T, linkOf?: (v: object) => unknown, linkTo?: (ref: unknown) => unknown): T {
  const { json, vectors } = encode(value, linkOf);
  const frames = vectors.map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice());
  return decode(JSON.parse(JSON.stringify(json)), frames, linkTo).value as T;
}

describe('class wire format', () => {
  it('float32 and float64 vectors arrive bit-exact, views included; NaN, ±Infinity and −0 as numbers too', () => {
    const f32 = new Float32Array([1.5, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, 0.1]);
    new Uint32Array(f32.buffer)[0] = 0x7fc01234; // a NaN with a payload
    const f64 = Float64Array.from([Math.PI, -0, 5e-324, NaN]);
    const view = new Float32Array(new Float32Array([9, 8, 7, 6]).buffer, 4, 2);
    const message = { type: 'star', rank: 2, data: f32, sums: f64, view, loss: NaN, neg: -0, big: -Infinity, ids: [1, 2, 3], nested: { ok: true, s: 'x' } };
    const back = roundTrip(message);
    expect(back.data).toBeInstanceOf(Float32Array);
    expect(bits(back.data)).toEqual(bits(f32));
    expect(back.sums).toBeInstanceOf(Float64Array);
    expect(bits(back.sums)).toEqual(bits(f64));
    expect([...back.view]).toEqual([8, 7]);
    expect(back.loss).toBeNaN();
    expect(Object.is(back.neg, -0)).toBe(true);
    expect(back.big).toBe(-Infinity);
    expect(back.ids).toEqual([1, 2, 3]);
    expect(back.nested).toEqual({ ok: true, s: 'x' });
  });

  it('link ends travel as references and are rebuilt on the far side', () => {
    class End { constructor(readonly id: number) {} }
    const back = roundTrip({ type: 'init', left: new End(4), part: { next: new End(7) } },
      (v) => (v instanceof End ? { link: v.id } : undefined), (ref) => `port ${(ref as { link: number }).link}`);
    expect(back).toEqual({ type: 'init', left: 'port 4', part: { next: 'port 7' } });
  });

  it('refuses what cannot travel, and malformed messages: stray or missing frames, odd lengths, unasked links, deep nesting', () => {
    expect(() => encode({ f: () => 1 })).toThrow(WireError);
    expect(() => encode({ d: new Date() })).toThrow(/Date cannot be sent/);
    expect(() => encode({ v: new Int16Array(2) })).toThrow(/Int16Array cannot be sent/);
    const four = new Uint8Array(4);
    expect(() => decode({ $vec: 0, of: 'f32' }, [])).toThrow(/not one of the message's 0 binary frames/);
    expect(() => decode({ a: 1 }, [four])).toThrow(/1 binary frames that the message does not use/);
    expect(() => decode([{ $vec: 0, of: 'f32' }, { $vec: 0, of: 'f32' }], [four])).toThrow(WireError);
    expect(() => decode({ $vec: 0, of: 'f64' }, [four])).toThrow(/f64 vector of 4 bytes/);
    expect(() => decode({ $vec: 0, of: 'Function' }, [four])).toThrow(/malformed vector/);
    expect(() => decode({ $num: 'pi' }, [])).toThrow(/special number/);
    expect(() => decode({ $link: 3 }, [])).toThrow(/link end where none may be/);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => decode(deep, [])).toThrow(/nested too deeply/);
    const polluted = decode(JSON.parse('{"__proto__": {"polluted": 1}, "a": 2}'), []).value as Record<string, unknown>;
    expect(polluted.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
