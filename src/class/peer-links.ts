// A member's links to the other members of its class: each peer's link traffic goes over a WebRTC data
// channel (ordered, reliable) when one opens, the class server carrying only the offer, answer and ICE
// candidates between the two (`signal` messages); and through the server's relay when this runtime has no
// WebRTC (Node), the peer has none, or no channel opens within `connectMs`. Each peer's bytes are counted
// by the way they went, for the roster and the run's `workers` records.
import type { ClassConnection } from './connection';
import { FramedChannel, pieceSize, type Arrived } from './data-channel';
import { LIMITS, type IceServer } from './protocol';
import { decode, encode } from './wire';

/** How a peer's link traffic goes: still waiting for a data channel, over one, or through the server. */
export type Via = 'connecting' | 'direct' | 'relay';

/** One peer's link as a member reports it: how its traffic goes now, and the bytes each way so far. */
export interface PeerTraffic {
  peer: number;
  via: Via;
  sentDirect: number;
  sentRelayed: number;
  receivedDirect: number;
  receivedRelayed: number;
}

/** What a member tells the teacher about its traffic: bytes to and from the teacher, and each peer's link. */
export interface MemberTraffic {
  teacher: { sent: number; received: number };
  peers: PeerTraffic[];
}

const VIAS: readonly Via[] = ['connecting', 'direct', 'relay'];

/** A member's traffic report as the teacher reads it: every field checked, the message naming the one that is not. */
export function parseTraffic(raw: unknown): MemberTraffic {
  const t = raw as Partial<MemberTraffic> | null;
  const count = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`traffic: ${field} must be a count of bytes`);
    return v;
  };
  if (!Array.isArray(t?.peers) || t.peers.length > LIMITS.membersPerSession) throw new Error(`traffic: peers must be a list of at most ${LIMITS.membersPerSession} links`);
  return {
    teacher: { sent: count(t.teacher?.sent, 'teacher.sent'), received: count(t.teacher?.received, 'teacher.received') },
    peers: t.peers.map((p: Partial<PeerTraffic> | null, i) => {
      if (!Number.isInteger(p?.peer) || !VIAS.includes(p!.via as Via)) throw new Error(`traffic: peers[${i}] needs a member id and a way (${VIAS.join(', ')})`);
      return {
        peer: p!.peer!, via: p!.via!, sentDirect: count(p!.sentDirect, `peers[${i}].sentDirect`), sentRelayed: count(p!.sentRelayed, `peers[${i}].sentRelayed`),
        receivedDirect: count(p!.receivedDirect, `peers[${i}].receivedDirect`), receivedRelayed: count(p!.receivedRelayed, `peers[${i}].receivedRelayed`),
      };
    }),
  };
}

/** Signalling between two members, relayed by the class server; `relay` says "I have no WebRTC: use the relay". */
type Signal =
  | { k: 'signal'; s: 'offer' | 'answer'; sdp: string }
  | { k: 'signal'; s: 'candidate'; candidate: RTCIceCandidateInit }
  | { k: 'signal'; s: 'relay' };

export interface PeerLinksOptions {
  /** This member's id in the session; without it every link is relayed (who offers is decided by id). */
  self?: number;
  /** STUN/TURN servers for the peer connections; none by default, which reaches peers on the same network. */
  ice?: IceServer[];
  /** How long a peer's data channel may take to open before its link falls back to the relay. */
  connectMs?: number;
  /** The runtime's RTCPeerConnection (absent in Node); tests pass one or none. */
  rtc?: typeof RTCPeerConnection | null;
}

export interface PeerLinksHooks {
  /** A link message from `peer` on link `link`, rebuilt, with the buffers of its typed arrays. */
  deliver(peer: number, link: number, value: unknown, buffers: ArrayBuffer[]): void;
  /** A peer's way changed (connected, fell back): the roster should hear. */
  changed(): void;
  log(line: string): void;
}

const DEFAULT_CONNECT_MS = 5000;

interface Peer {
  traffic: PeerTraffic;
  pc: RTCPeerConnection | null;
  channel: FramedChannel | null;
  /** Link messages sent while the peer's way was still being found, in order. */
  waiting: { link: number; m: unknown }[];
  timer: ReturnType<typeof setTimeout> | null;
  toldRelay: boolean;
}

/** The bytes a relayed link message takes: its JSON and its vectors, counted the same way at both ends. */
export function relayedBytes(json: unknown, vectors: { byteLength: number }[]): number {
  return JSON.stringify(json).length + vectors.reduce((s, v) => s + v.byteLength, 0);
}

export class PeerLinks {
  private readonly peers = new Map<number, Peer>();
  private readonly rtc: typeof RTCPeerConnection | null;
  private closed = false;

  constructor(private readonly connection: ClassConnection, private readonly options: PeerLinksOptions, private readonly hooks: PeerLinksHooks) {
    const rtc = options.rtc === undefined ? (globalThis as { RTCPeerConnection?: typeof RTCPeerConnection }).RTCPeerConnection ?? null : options.rtc;
    this.rtc = options.self === undefined ? null : rtc;
  }

  /** Sends a link message (typed arrays and all) to `peer`; the first message to a peer starts finding its way. */
  send(peer: number, link: number, m: unknown): void {
    const p = this.peer(peer);
    if (p.traffic.via === 'connecting') p.waiting.push({ link, m });
    else this.transmit(peer, p, link, m);
  }

  /** Starts finding the way to `peer` before its first message (a link to it has just been made). */
  prepare(peer: number): void {
    this.peer(peer);
  }

  /** What a peer sent through the server: a relayed link message or a signal (anything else is ignored). */
  fromServer(from: number, body: unknown, frames: ArrayBuffer[]): void {
    const said = body as { k?: unknown; link?: unknown; m?: unknown } | null;
    if (said?.k === 'signal') return this.signal(from, body as Signal);
    if (said?.k !== 'link') return;
    const p = this.peer(from);
    p.traffic.receivedRelayed += relayedBytes(body, frames);
    const { value, buffers } = decode(said.m, frames);
    this.hooks.deliver(from, Number(said.link), value, buffers);
  }

  traffic(): PeerTraffic[] {
    return [...this.peers.values()].map((p) => ({ ...p.traffic }));
  }

  close(): void {
    this.closed = true;
    this.peers.forEach((p) => {
      if (p.timer) clearTimeout(p.timer);
      p.pc?.close();
    });
  }

  private peer(id: number): Peer {
    let p = this.peers.get(id);
    if (p) return p;
    p = {
      traffic: { peer: id, via: 'connecting', sentDirect: 0, sentRelayed: 0, receivedDirect: 0, receivedRelayed: 0 },
      pc: null, channel: null, waiting: [], timer: null, toldRelay: false,
    };
    this.peers.set(id, p);
    if (!this.rtc) {
      this.useRelay(id, p, 'this member has no WebRTC');
      return p;
    }
    const connectMs = this.options.connectMs ?? DEFAULT_CONNECT_MS;
    p.timer = setTimeout(() => this.useRelay(id, p!, `no data channel within ${connectMs / 1000} s`), connectMs);
    // The member with the lower id offers; the other waits for its offer.
    if (this.options.self! < id) void this.offer(id, p);
    return p;
  }

  private transmit(id: number, p: Peer, link: number, m: unknown): void {
    if (p.traffic.via === 'direct' && p.channel) {
      const { json, vectors } = encode(m);
      p.traffic.sentDirect += p.channel.send(link, json, vectors);
    } else {
      const body = { k: 'link', link, m };
      this.connection.send(id, body);
      const { json, vectors } = encode(body);
      p.traffic.sentRelayed += relayedBytes(json, vectors);
    }
  }

  private settle(id: number, p: Peer, via: 'direct' | 'relay'): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    p.traffic.via = via;
    p.waiting.splice(0).forEach(({ link, m }) => this.transmit(id, p, link, m));
    this.hooks.changed();
  }

  /** From now on this peer's messages go through the server (any data channel still delivers what it carries). */
  private useRelay(id: number, p: Peer, why: string): void {
    if (p.traffic.via === 'relay' || this.closed) return;
    this.hooks.log(`link to member ${id}: relayed through the class server (${why})`);
    if (!this.rtc && !p.toldRelay) {
      p.toldRelay = true;
      this.connection.send(id, { k: 'signal', s: 'relay' } satisfies Signal);
    }
    this.settle(id, p, 'relay');
  }

  private connectionFor(id: number, p: Peer): RTCPeerConnection {
    p.pc?.close();
    const pc = new this.rtc!({ iceServers: this.options.ice ?? [] });
    p.pc = pc;
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate) this.connection.send(id, { k: 'signal', s: 'candidate', candidate: e.candidate.toJSON() } satisfies Signal);
    });
    pc.addEventListener('datachannel', (e) => this.adopt(id, p, pc, e.channel));
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') this.lost(id, p, 'the peer connection failed');
    });
    return pc;
  }

  private adopt(id: number, p: Peer, pc: RTCPeerConnection, channel: RTCDataChannel): void {
    channel.binaryType = 'arraybuffer';
    let opened = false;
    const open = () => {
      if (opened || p.pc !== pc || this.closed) return;
      opened = true;
      const framed = new FramedChannel(channel as unknown as ConstructorParameters<typeof FramedChannel>[0], pieceSize(pc.sctp?.maxMessageSize),
        (a) => this.arrived(id, p, a), (why) => this.lost(id, p, `member ${id} sent pieces that make no sense (${why})`));
      p.channel = framed;
      // A link that fell back stays relayed: switching back could reorder its messages.
      if (p.traffic.via === 'connecting') {
        this.hooks.log(`link to member ${id}: direct (WebRTC data channel)`);
        this.settle(id, p, 'direct');
      }
    };
    // An answerer's channel may be open already when it is announced.
    if (channel.readyState === 'open') open();
    else channel.addEventListener('open', open);
    channel.addEventListener('close', () => {
      if (p.pc === pc) this.lost(id, p, 'the data channel closed');
    });
  }

  private arrived(id: number, p: Peer, a: Arrived): void {
    p.traffic.receivedDirect += a.bytes;
    try {
      const { value, buffers } = decode(a.json, a.frames);
      this.hooks.deliver(id, a.link, value, buffers);
    } catch (e) {
      this.hooks.log(`dropped a link message from member ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private lost(id: number, p: Peer, why: string): void {
    if (p.traffic.via === 'direct') p.traffic.via = 'connecting';
    p.channel = null;
    this.useRelay(id, p, why);
  }

  private async offer(id: number, p: Peer): Promise<void> {
    try {
      const pc = this.connectionFor(id, p);
      this.adopt(id, p, pc, pc.createDataChannel('links', { ordered: true }));
      await pc.setLocalDescription(await pc.createOffer());
      this.connection.send(id, { k: 'signal', s: 'offer', sdp: pc.localDescription!.sdp } satisfies Signal);
    } catch (e) {
      this.useRelay(id, p, `could not offer a data channel: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async answer(id: number, p: Peer, sdp: string): Promise<void> {
    try {
      const pc = this.connectionFor(id, p);
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      this.connection.send(id, { k: 'signal', s: 'answer', sdp: pc.localDescription!.sdp } satisfies Signal);
    } catch (e) {
      this.useRelay(id, p, `could not answer member ${id}'s offer: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private signal(from: number, s: Signal): void {
    if (this.closed) return;
    const p = this.peer(from);
    if (s.s === 'relay') return this.useRelay(from, p, `member ${from} has no WebRTC`);
    if (!this.rtc) return;
    if (s.s === 'offer' && typeof s.sdp === 'string' && this.options.self! > from) void this.answer(from, p, s.sdp);
    else if (s.s === 'answer' && typeof s.sdp === 'string' && p.pc) {
      p.pc.setRemoteDescription({ type: 'answer', sdp: s.sdp }).catch((e: Error) => this.useRelay(from, p, `member ${from}'s answer: ${e.message}`));
    } else if (s.s === 'candidate' && p.pc && s.candidate && typeof s.candidate === 'object') {
      // A candidate that does not parse only loses that route; the others may still connect.
      p.pc.addIceCandidate(s.candidate).catch(() => {});
    }
  }
}
