// How one of the lab's messages travels over a class socket: as JSON, with each typed array (weights,
// gradients, ring chunks) taken out into a binary frame of its own so it arrives bit-exact and unbloated,
// numbers JSON cannot hold (NaN, ±Infinity, −0) spelled out, and a remote host's link ends named.
// Decoding trusts nothing: a peer's message is rebuilt from plain values only, or refused.

export class WireError extends Error {}

const VECTORS = {
  f32: Float32Array, f64: Float64Array, i32: Int32Array, u32: Uint32Array, u8: Uint8Array,
} as const;
type VectorKind = keyof typeof VECTORS;
type Vector = InstanceType<(typeof VECTORS)[VectorKind]>;

const SPECIAL_NUMBERS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** Nesting deeper than any lab message: a peer's message deeper than this is refused, not recursed into. */
const MAX_DEPTH = 32;

export interface Encoded {
  json: unknown;
  vectors: Vector[];
}

function vectorKind(v: ArrayBufferView): VectorKind | null {
  for (const [kind, type] of Object.entries(VECTORS)) if (v.constructor === type) return kind as VectorKind;
  return null;
}

/**
 * `linkOf` names the objects that stand for link ends (a remote host's); any other object that is not
 * a plain object, array or typed array of the kinds above cannot travel and throws.
 */
export function encode(value: unknown, linkOf: (v: object) => unknown = () => undefined): Encoded {
  const vectors: Vector[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') {
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      return { $num: Object.is(v, -0) ? '-0' : String(v) };
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (v === undefined) return null;
    if (typeof v !== 'object') throw new WireError(`a ${typeof v} cannot be sent over the class`);
    if (ArrayBuffer.isView(v)) {
      const kind = vectorKind(v);
      if (!kind) throw new WireError(`a ${v.constructor.name} cannot be sent over the class`);
      vectors.push(v as Vector);
      return { $vec: vectors.length - 1, of: kind };
    }
    const link = linkOf(v);
    if (link !== undefined) return { $link: link };
    if (Array.isArray(v)) return v.map(walk);
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new WireError(`a ${v.constructor?.name ?? 'non-plain object'} cannot be sent over the class`);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) if (item !== undefined) out[key] = walk(item);
    return out;
  };
  return { json: walk(value), vectors };
}

export interface Decoded {
  value: unknown;
  /** The buffers of the rebuilt typed arrays, to transfer on. */
  buffers: ArrayBuffer[];
}

/** A copy in an ArrayBuffer of its own: a frame's bytes may sit at any offset of a shared pool. */
function ownBuffer(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return view.slice().buffer;
}

/**
 * Rebuilds a message from its JSON and binary frames. `linkTo` turns a link reference into the object
 * that stands for it; without one, a message naming a link is refused. Every frame must be used once.
 */
export function decode(json: unknown, frames: (ArrayBuffer | Uint8Array)[], linkTo?: (ref: unknown) => unknown): Decoded {
  const used = new Set<number>();
  const buffers: ArrayBuffer[] = [];
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new WireError('a message nested too deeply');
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if ('$num' in o) {
      if (keys.length !== 1 || typeof o.$num !== 'string' || !(o.$num in SPECIAL_NUMBERS)) throw new WireError('a malformed special number');
      return SPECIAL_NUMBERS[o.$num];
    }
    if ('$vec' in o) return vector(o, keys);
    if ('$link' in o) {
      if (keys.length !== 1 || !linkTo) throw new WireError('a link end where none may be');
      return linkTo(o.$link);
    }
    const out: Record<string, unknown> = {};
    // A key named __proto__ would set the rebuilt object's prototype; no lab message has one.
    for (const key of keys) if (key !== '__proto__') out[key] = walk(o[key], depth + 1);
    return out;
  };
  const vector = (o: Record<string, unknown>, keys: string[]) => {
    const index = o.$vec;
    const kind = o.of;
    if (keys.length !== 2 || typeof kind !== 'string' || !Object.hasOwn(VECTORS, kind)) throw new WireError('a malformed vector reference');
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= frames.length || used.has(index as number)) {
      throw new WireError(`vector ${String(index)} is not one of the message's ${frames.length} binary frames`);
    }
    used.add(index as number);
    const type = VECTORS[kind as VectorKind];
    const buffer = ownBuffer(frames[index as number]);
    if (buffer.byteLength % type.BYTES_PER_ELEMENT !== 0) throw new WireError(`a ${kind} vector of ${buffer.byteLength} bytes`);
    buffers.push(buffer);
    return new type(buffer);
  };
  const value = walk(json, 0);
  if (used.size !== frames.length) throw new WireError(`${frames.length - used.size} binary frames that the message does not use`);
  return { value, buffers };
}
