// All-reduce of a flat float32 vector across data-parallel replicas: the sum over ranks.
// ring: reduce-scatter then all-gather between neighbours, N chunks, 2(N−1) steps; each replica sends
//       2(N−1)/N of the vector. Partial sums travel as float64, so the float32 result is the exactly
//       rounded sum whenever the addends' magnitudes are within 2^26 of each other — in practice the
//       same bits as star's rank-ordered sum, and the same bits on every run.
// star: every replica sends its vector to the coordinator, which sums in rank order and sends it back.
// ZeRO (zero ≥ 1) takes the ring's two halves apart: the gradient reduce-scattered, the weights all-gathered.
import { firstNonFinite } from '../core/metrics';
import { Inbox, type Endpoint } from './ports';
import type { BadInput } from './replica-protocol';

export interface RingMessage {
  type: 'ring';
  /** Which all-reduce this belongs to (a step or sync counter), so messages never mix. */
  round: number;
  chunk: number;
  data: Float64Array;
}

export interface RingLinks {
  rank: number;
  world: number;
  /** Receives from rank − 1. */
  left: Inbox<RingMessage>;
  /** Sends to rank + 1. */
  right: Endpoint;
}

/** A worker's ring from the ports its init message carries: it receives from `left` and sends to `right`. */
export function ringLinks(rank: number, world: number, left: MessagePort, right: MessagePort): RingLinks {
  return { rank, world, left: new Inbox<RingMessage>(left as unknown as Endpoint), right: right as unknown as Endpoint };
}

/** Chunk c covers [bounds[c], bounds[c+1]). */
export function chunkBounds(length: number, chunks: number): number[] {
  return Array.from({ length: chunks + 1 }, (_, c) => Math.floor((length * c) / chunks));
}

export interface AllreduceResult {
  sum: Float32Array;
  bytesSent: number;
  /** Ring: the first chunk from the left neighbour that this rank could not take (the sum is then NaN). */
  badInput?: BadInput;
}

/** One exchange around the ring over the chunks `bounds` cuts: its sends, its checked receives, the bytes it sent. */
class RingPass {
  bytesSent = 0;
  /** The first chunk from the left neighbour that this rank could not take (the result is then NaN). */
  badInput: BadInput | undefined;

  constructor(private readonly links: RingLinks, private readonly round: number, private readonly bounds: number[]) {}

  /** The chunk a rank holds summed after reduceScatter (ZeRO's shard of it: core/zero-shards.ts ownedChunk). */
  get own(): number {
    return this.mod(this.links.rank + 1);
  }

  /** Reduce-scatter: after N−1 steps this rank's `own` chunk of `acc` holds the sum over ranks. */
  async reduceScatter(acc: Float64Array, firstReceive = 0): Promise<void> {
    const { rank, world } = this.links;
    for (let s = 0; s < world - 1; s++) {
      this.send(acc, this.mod(rank - s));
      const chunk = this.mod(rank - s - 1);
      const data = await this.receive(chunk, firstReceive + s);
      const base = this.bounds[chunk];
      for (let i = 0; i < data.length; i++) acc[base + i] += data[i];
    }
  }

  /** All-gather: each rank's `own` chunk of `acc` passed around the ring, so every rank holds all. */
  async allGather(acc: Float64Array, firstReceive = 0): Promise<void> {
    const { rank, world } = this.links;
    for (let s = 0; s < world - 1; s++) {
      this.send(acc, this.mod(rank + 1 - s));
      const chunk = this.mod(rank - s);
      acc.set(await this.receive(chunk, firstReceive + s), this.bounds[chunk]);
    }
  }

  private mod(i: number): number {
    const { world } = this.links;
    return ((i % world) + world) % world;
  }

  private send(acc: Float64Array, chunk: number): void {
    const part = acc.slice(this.bounds[chunk], this.bounds[chunk + 1]);
    this.bytesSent += part.byteLength;
    this.links.right.postMessage({ type: 'ring', round: this.round, chunk, data: part } satisfies RingMessage, [part.buffer]);
  }

  /**
   * Chunk `chunk` from the left neighbour, the `at`-th receive of this exchange. One this rank cannot take
   * is taken as NaN, so that no replica takes the step's update, and the first is named. The neighbour sends
   * its chunks in the order this rank takes them and links keep their order, so the next message is this
   * chunk: one marked otherwise (or not at all) is bad, where waiting for a match would hang the ring.
   */
  private async receive(chunk: number, at: number): Promise<Float64Array> {
    const m = (await this.links.left.next()) as Partial<RingMessage> | null;
    const data = m?.data;
    const length = this.bounds[chunk + 1] - this.bounds[chunk];
    const bad = firstNonFinite(data instanceof Float64Array ? data : []);
    const mark = (v: unknown) => (typeof v === 'number' ? String(v) : 'none');
    const what = m?.round !== this.round || m?.chunk !== chunk
      ? `a chunk marked round ${mark(m?.round)}, chunk ${mark(m?.chunk)} where round ${this.round}'s chunk ${chunk} belongs`
      : !(data instanceof Float64Array) ? 'a chunk that is not float64'
      : data.length !== length ? `a chunk of ${data.length} values where ${length} belong`
        : bad >= 0 ? `non-finite values (${data[bad]})` : null;
    if (what === null) return data as Float64Array;
    this.badInput ??= { at, what };
    return new Float64Array(length).fill(NaN);
  }
}

/** The sum over ranks times `scale` (1/N to average), scaled in float64 before the one rounding. */
export async function ringAllreduce(data: Float32Array, round: number, links: RingLinks, scale = 1): Promise<AllreduceResult> {
  const acc = Float64Array.from(data);
  const pass = new RingPass(links, round, chunkBounds(data.length, links.world));
  await pass.reduceScatter(acc);
  await pass.allGather(acc, links.world - 1);
  return { sum: Float32Array.from(acc, (x) => x * scale), bytesSent: pass.bytesSent, badInput: pass.badInput };
}

/** ZeRO: the reduce-scatter half alone; `sum` is this rank's chunk of the sum over ranks times `scale`. */
export async function ringReduceScatter(data: Float32Array, round: number, links: RingLinks, bounds: number[], scale = 1): Promise<AllreduceResult> {
  const acc = Float64Array.from(data);
  const pass = new RingPass(links, round, bounds);
  await pass.reduceScatter(acc);
  const chunk = acc.subarray(bounds[pass.own], bounds[pass.own + 1]);
  return { sum: Float32Array.from(chunk, (x) => x * scale), bytesSent: pass.bytesSent, badInput: pass.badInput };
}

/** ZeRO: the all-gather half alone; `sum` is every rank's chunk (`shard`, this rank's) in place. */
export async function ringAllGather(shard: Float32Array, floats: number, round: number, links: RingLinks, bounds: number[]): Promise<AllreduceResult> {
  const acc = new Float64Array(floats);
  const pass = new RingPass(links, round, bounds);
  acc.set(shard, bounds[pass.own]);
  // Numbered after the reduce-scatter's receives, so a bad chunk of the gradient is named first.
  await pass.allGather(acc, links.world - 1);
  return { sum: Float32Array.from(acc), bytesSent: pass.bytesSent, badInput: pass.badInput };
}

/** A replica's half of star: its vector to the coordinator, and the coordinator's sum of the round back. */
export interface StarLink {
  send(round: number, data: Float32Array, scale: number): void;
  receive(round: number): Promise<Float32Array>;
}

/**
 * A worker's all-reduces, numbered so that the messages of successive rounds never mix: over its ring, or
 * through the coordinator (star) when it has none.
 */
export class AllreduceRounds {
  private round = 0;

  constructor(private readonly ring: RingLinks | null, private readonly star: StarLink | null = null) {}

  async sum(vector: Float32Array, scale = 1): Promise<AllreduceResult> {
    const round = this.round++;
    if (this.ring) return ringAllreduce(vector, round, this.ring, scale);
    return this.starSum(round, vector, scale);
  }

  /**
   * ZeRO's gradient exchange: chunk `own` of the sum over ranks times `scale`. Star sends the whole vector
   * and takes its chunk of the coordinator's sum, the same bits as ring's chunk wherever the sums agree.
   */
  async reduceScatter(vector: Float32Array, bounds: number[], own: number, scale = 1): Promise<AllreduceResult> {
    const round = this.round++;
    if (this.ring) return ringReduceScatter(vector, round, this.ring, bounds, scale);
    const { sum, bytesSent } = await this.starSum(round, vector, scale);
    return { sum: sum.slice(bounds[own], bounds[own + 1]), bytesSent };
  }

  /**
   * ZeRO's weight exchange: every rank's chunk, this one's `shard` as chunk `own`. Star sends the shard in
   * a vector of zeros elsewhere and gets the coordinator's sum of them (x + 0 is exact).
   */
  async allGather(shard: Float32Array, floats: number, bounds: number[], own: number): Promise<AllreduceResult> {
    const round = this.round++;
    if (this.ring) return ringAllGather(shard, floats, round, this.ring, bounds);
    const padded = new Float32Array(floats);
    padded.set(shard, bounds[own]);
    return this.starSum(round, padded, 1);
  }

  private async starSum(round: number, vector: Float32Array, scale: number): Promise<AllreduceResult> {
    // Counted before the vector is transferred away.
    const bytesSent = vector.byteLength;
    this.star!.send(round, vector, scale);
    return { sum: await this.star!.receive(round), bytesSent };
  }
}

/** The coordinator's half of star: the rank-ordered float64 sum times `scale`, rounded once to float32. */
export function starSum(vectors: Float32Array[], scale = 1): Float32Array {
  const acc = new Float64Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) acc[i] += v[i];
  return Float32Array.from(acc, (x) => x * scale);
}

/** Bytes each replica sends per all-reduce of `bytes` bytes in an ideal ring: 2K(N−1)/N. */
export function ringTheoryBytes(bytes: number, world: number): number {
  return (2 * bytes * (world - 1)) / world;
}
