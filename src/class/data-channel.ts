// One peer's WebRTC data channel as a carrier of link messages: each message (its wire.ts JSON and the
// bytes of its vectors) is cut into pieces no larger than the channel's message limit, sent only as fast
// as the channel drains (bufferedAmount), and put back together on the far side, in order. A peer is held
// to the relay's limits: no message larger than the server would pass on.
import { LIMITS } from './protocol';

/** What the browser's RTCDataChannel offers that a link needs (a fake one in the Node tests). */
export interface DataChannelLike {
  binaryType: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  readonly readyState: string;
  send(data: Uint8Array<ArrayBuffer>): void;
  addEventListener(type: 'message' | 'bufferedamountlow', listener: (e: { data?: unknown }) => void): void;
}

/** A link message as it arrives: its JSON and its vectors' bytes, and what it took on the channel. */
export interface Arrived {
  link: number;
  json: unknown;
  frames: Uint8Array[];
  bytes: number;
}

/**
 * Chromium's channels close when more than 16 MB wait to be sent: hand the channel at most HIGH bytes
 * and refill it when it drains to LOW.
 */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
/** Pieces no larger than this even where the channel allows more: a 256 KiB piece is what Chromium takes. */
export const MAX_PIECE = 256 * 1024;
/** The smallest limit a channel may announce (RFC 8831 asks every end to take 16 KiB messages). */
const MIN_PIECE = 16 * 1024;

/** The piece size for a channel whose SCTP transport announces `maxMessageSize` (undefined, 0 or Infinity where unknown). */
export function pieceSize(maxMessageSize: number | undefined): number {
  if (!maxMessageSize || !Number.isFinite(maxMessageSize)) return MIN_PIECE * 4;
  return Math.max(MIN_PIECE, Math.min(MAX_PIECE, Math.floor(maxMessageSize)));
}

const LENGTH_BYTES = 8;
const HEADER_LENGTH_BYTES = 4;
/** The largest message the relay passes on: a JSON frame and its binary frames. */
const MAX_MESSAGE = LIMITS.textBytes + LIMITS.vectorsPerMessage * LIMITS.binaryBytes;

/**
 * A message's bytes: its length after these 8 bytes (float64, so a message over 4 GB is still told
 * right), the length of its JSON header, the header {link, body, sizes}, then its vectors back to back.
 * Every message starts a piece of its own, so a piece never holds the end of one and the start of another.
 */
function messageParts(link: number, json: unknown, vectors: ArrayBufferView[]): Uint8Array[] {
  const header = new TextEncoder().encode(JSON.stringify({ link, body: json, sizes: vectors.map((v) => v.byteLength) }));
  const head = new Uint8Array(LENGTH_BYTES + HEADER_LENGTH_BYTES);
  const view = new DataView(head.buffer);
  const total = HEADER_LENGTH_BYTES + header.byteLength + vectors.reduce((s, v) => s + v.byteLength, 0);
  view.setFloat64(0, total, true);
  view.setUint32(LENGTH_BYTES, header.byteLength, true);
  return [head, header, ...vectors.map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength))];
}

export class FramedChannel {
  /** Messages waiting to be sent, each as its parts; the first may be partly sent. */
  private readonly queue: { parts: Uint8Array[]; left: number }[] = [];
  private part = 0;
  private offset = 0;
  /** The message being put back together, and how much of it has come. */
  private incoming: { bytes: Uint8Array; filled: number } | null = null;
  /** Once a piece made no sense, nothing after it can be told apart: the channel is deaf from then on. */
  private broken = false;

  /** `fail` hears once why the far side's pieces made no sense. */
  constructor(private readonly channel: DataChannelLike, private readonly piece: number, private readonly arrive: (m: Arrived) => void, fail: (why: string) => void) {
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = LOW_WATER;
    channel.addEventListener('bufferedamountlow', () => this.pump());
    channel.addEventListener('message', (e) => {
      if (this.broken) return;
      try {
        this.receive(e.data);
      } catch (err) {
        this.broken = true;
        fail(err instanceof Error ? err.message : String(err));
      }
    });
  }

  /** Queues a message; returns the bytes it takes on the channel. */
  send(link: number, json: unknown, vectors: ArrayBufferView[]): number {
    const parts = messageParts(link, json, vectors);
    const left = parts.reduce((s, p) => s + p.byteLength, 0);
    this.queue.push({ parts, left });
    this.pump();
    return left;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.channel.readyState === 'open' && this.channel.bufferedAmount < HIGH_WATER) this.channel.send(this.nextPiece());
  }

  private nextPiece(): Uint8Array<ArrayBuffer> {
    const message = this.queue[0];
    const piece = new Uint8Array(Math.min(this.piece, message.left));
    let filled = 0;
    while (filled < piece.byteLength) {
      const part = message.parts[this.part];
      const take = Math.min(part.byteLength - this.offset, piece.byteLength - filled);
      piece.set(part.subarray(this.offset, this.offset + take), filled);
      filled += take;
      this.offset += take;
      if (this.offset === part.byteLength) {
        this.part++;
        this.offset = 0;
      }
    }
    message.left -= piece.byteLength;
    if (message.left === 0) {
      this.queue.shift();
      this.part = 0;
    }
    return piece;
  }

  private receive(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) throw new Error('a data channel piece that is not binary');
    let piece = new Uint8Array(data);
    if (!this.incoming) {
      if (piece.byteLength < LENGTH_BYTES + HEADER_LENGTH_BYTES) throw new Error('a data channel message too short for its header');
      const total = new DataView(data).getFloat64(0, true);
      if (!Number.isSafeInteger(total) || total < HEADER_LENGTH_BYTES || total > HEADER_LENGTH_BYTES + MAX_MESSAGE) {
        throw new Error(`a data channel message of ${total} bytes (at most ${HEADER_LENGTH_BYTES + MAX_MESSAGE})`);
      }
      this.incoming = { bytes: new Uint8Array(total), filled: 0 };
      piece = piece.subarray(LENGTH_BYTES);
    }
    const m = this.incoming;
    if (m.filled + piece.byteLength > m.bytes.byteLength) throw new Error('a data channel piece runs past its message');
    m.bytes.set(piece, m.filled);
    m.filled += piece.byteLength;
    if (m.filled < m.bytes.byteLength) return;
    this.incoming = null;
    this.arrive(this.unpack(m.bytes));
  }

  private unpack(bytes: Uint8Array): Arrived {
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    if (headerLength > LIMITS.textBytes) throw new Error(`a data channel message whose header is ${headerLength} bytes (at most ${LIMITS.textBytes})`);
    if (HEADER_LENGTH_BYTES + headerLength > bytes.byteLength) throw new Error('a data channel message shorter than its header');
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + headerLength))) as { link?: unknown; body?: unknown; sizes?: unknown };
    const sizes = header.sizes;
    if (!Number.isInteger(header.link) || !Array.isArray(sizes) || !sizes.every((s) => Number.isInteger(s) && s >= 0)) throw new Error('a data channel message with a malformed header');
    let at = HEADER_LENGTH_BYTES + headerLength;
    const frames = (sizes as number[]).map((size) => bytes.subarray(at, (at += size)));
    if (at !== bytes.byteLength) throw new Error(`a data channel message of ${bytes.byteLength} bytes whose header accounts for ${at}`);
    return { link: header.link as number, json: header.body, frames, bytes: LENGTH_BYTES + bytes.byteLength };
  }
}
