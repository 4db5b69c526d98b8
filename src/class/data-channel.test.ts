// The data channel's framing without WebRTC: two fake channels joined back to back. A message larger
// than a piece is cut into pieces no larger than the channel allows, never more than 4 MB is handed to a
// channel before it drains, and what arrives is the message, bit for bit and in order; pieces that make no
// sense, or announce a message over the relay's limits, stop the channel's listening with a reason.
import { describe, expect, it } from 'vitest';
import { FramedChannel, MAX_PIECE, pieceSize, type Arrived, type DataChannelLike } from './data-channel';
import { decode, encode } from './wire';

/** One end of a fake channel: what it is sent waits in `buffered` until the test drains it to the other end. */
class FakeChannel implements DataChannelLike {
  binaryType = 'blob';
  bufferedAmountLowThreshold = 0;
  readyState = 'open';
  readonly pieces: Uint8Array[] = [];
  peer: FakeChannel | null = null;
  maxBuffered = 0;
  private readonly listeners: Record<string, ((e: { data?: unknown }) => void)[]> = { message: [], bufferedamountlow: [] };

  get bufferedAmount(): number {
    return this.pieces.reduce((s, p) => s + p.byteLength, 0);
  }

  send(data: Uint8Array<ArrayBuffer>): void {
    this.pieces.push(data);
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
  }

  addEventListener(type: 'message' | 'bufferedamountlow', listener: (e: { data?: unknown }) => void): void {
    this.listeners[type].push(listener);
  }

  /** Delivers everything buffered to the far end, a piece at a time, telling this end when it runs low. */
  drain(): number {
    let delivered = 0;
    while (this.pieces.length > 0) {
      const piece = this.pieces.shift()!;
      delivered++;
      this.peer!.listeners.message.forEach((l) => l({ data: piece.slice().buffer }));
      if (this.bufferedAmount <= this.bufferedAmountLowThreshold) this.listeners.bufferedamountlow.forEach((l) => l({}));
    }
    return delivered;
  }
}

function pair(piece: number) {
  const a = new FakeChannel();
  const b = new FakeChannel();
  a.peer = b;
  b.peer = a;
  const arrived: Arrived[] = [];
  const failures: string[] = [];
  const sender = new FramedChannel(a, piece, () => {}, (why) => failures.push(why));
  new FramedChannel(b, piece, (m) => arrived.push(m), (why) => failures.push(why));
  return { a, b, sender, arrived, failures };
}

describe('a data channel carrying link messages', () => {
  it('cuts a large message into pieces within the limit, holds back until the channel drains, and rebuilds it bit for bit', () => {
    const piece = 16 * 1024;
    const { a, sender, arrived, failures } = pair(piece);
    const big = new Float64Array(1_500_000).map((_, i) => Math.sin(i) * 1e6);
    big[7] = -0;
    big[8] = NaN;
    const small = { type: 'ring', round: 3, chunk: 1, data: Float64Array.of(1.5, -2) };
    const messages = [{ type: 'ring', round: 3, chunk: 0, data: big }, small];
    const sizes = messages.map((m, link) => {
      const { json, vectors } = encode(m);
      return sender.send(link + 1, json, vectors);
    });
    // 12 MB queued: the channel holds 4 MB (plus one piece) until it drains.
    expect(a.bufferedAmount).toBeLessThanOrEqual(4 * 1024 * 1024 + piece);
    let pieces = 0;
    while (a.pieces.length > 0) {
      expect(a.pieces.every((p) => p.byteLength <= piece)).toBe(true);
      pieces += a.drain();
    }
    expect(failures).toEqual([]);
    expect(a.maxBuffered).toBeLessThanOrEqual(4 * 1024 * 1024 + piece);
    expect(pieces).toBe(Math.ceil(sizes[0] / piece) + 1);
    expect(arrived.map((m) => m.link)).toEqual([1, 2]);
    expect(arrived.map((m) => m.bytes)).toEqual(sizes);
    const first = decode(arrived[0].json, arrived[0].frames).value as typeof messages[0];
    expect(Buffer.from(first.data.buffer).equals(Buffer.from(big.buffer)), 'the large vector, bit for bit').toBe(true);
    expect(decode(arrived[1].json, arrived[1].frames).value).toEqual(small);
  });

  it('stops listening, saying why, when the far side sends pieces that make no sense', () => {
    const { a, arrived, failures } = pair(16 * 1024);
    const bogus = new Uint8Array(32);
    new DataView(bogus.buffer).setFloat64(0, 8, true);
    a.send(bogus);
    a.drain();
    a.send(Uint8Array.of(1, 2, 3));
    a.drain();
    expect(arrived).toEqual([]);
    expect(failures).toEqual(['a data channel piece runs past its message']);
  });

  it('refuses a message announced larger than the relay would pass on, before making room for it', () => {
    const { a, arrived, failures } = pair(16 * 1024);
    const huge = new Uint8Array(32);
    new DataView(huge.buffer).setFloat64(0, 2 ** 40, true);
    a.send(huge);
    a.drain();
    expect(arrived).toEqual([]);
    expect(failures).toEqual([`a data channel message of ${2 ** 40} bytes (at most ${4 + 1024 * 1024 + 8 * 257 * 1024 * 1024})`]);
  });

  it('sizes pieces from what the channel announces, within 16 KiB and 256 KiB', () => {
    expect(pieceSize(262_144)).toBe(MAX_PIECE);
    expect(pieceSize(1_073_741_823)).toBe(MAX_PIECE);
    expect(pieceSize(65_536)).toBe(65_536);
    expect(pieceSize(1000)).toBe(16 * 1024);
    expect(pieceSize(undefined)).toBe(64 * 1024);
    expect(pieceSize(Infinity)).toBe(64 * 1024);
  });
});
