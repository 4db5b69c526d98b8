// Members' links without a browser: Node has no WebRTC, so every link falls back to the class server's
// relay at once, and a peer connection that never opens falls back after connectMs, with the messages sent
// meanwhile delivered in order. Each member reports its traffic per link: the teacher's roster (links())
// says how every link goes, and each step report carries the step's bytes per link by rank, the sender's
// count equal to the receiver's. A member whose traffic report is malformed is removed and named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberStepTraffic } from '../core/metrics';
import type { Member, MemberHost } from '../parallel/members';
import { ranks, ring } from '../parallel/links';
import { serveClass } from './member-client';
import type { PeerLinksOptions } from './peer-links';
import type { Roster } from './protocol';
import { classMemberHost, type MemberLinks } from './remote-members';
import type { ClassServer } from './server';
import { connect, openSession, testServer } from './testing';

let server: ClassServer;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server.close());

/** Float64 elements of each ring message. */
const RING_FLOATS = 1000;

/**
 * "Replicas" that send `messages` ring messages to the right on go, and report once all have come from
 * the left (the report is where the teacher puts the step's traffic).
 */
function ringMachine(messages: number) {
  const host: Pick<MemberHost, 'spawn'> = {
    spawn(rank): Member {
      let listener: (e: MessageEvent) => void = () => {};
      let right: MessagePort | undefined;
      const heard: number[] = [];
      const reply = (data: unknown) => setTimeout(() => listener({ data } as MessageEvent));
      return {
        postMessage(message: unknown) {
          const m = message as { type: string; left?: MessagePort; right?: MessagePort };
          if (m.type === 'init') {
            right = m.right;
            m.left?.addEventListener('message', (e: MessageEvent) => {
              heard.push((e.data as { chunk: number }).chunk);
              if (heard.length === messages) reply({ type: 'report', rank, heard });
            });
            m.left?.start();
            reply({ type: 'ready', rank, adapter: 'ring' });
          } else if (m.type === 'go') {
            for (let chunk = 0; chunk < messages; chunk++) right?.postMessage({ type: 'ring', round: 0, chunk, data: new Float64Array(RING_FLOATS).fill(rank) });
          }
        },
        addEventListener: (_type, l) => { listener = l; },
        terminate: () => {},
        onCrash: () => {},
      };
    },
  };
  return host;
}

async function until<T>(check: () => T | undefined | false): Promise<T> {
  for (;;) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A class of `n` ring members joined with `options`, its teacher's host, and one ring run started on it. */
async function ringClass(n: number, messages: number, options: (id: number) => PeerLinksOptions) {
  const teacher = await openSession(server);
  const logs: string[][] = [];
  const members = [];
  for (let k = 0; k < n; k++) {
    const c = await connect(server, teacher.join(`m${k}`));
    const id = c.welcome.t === 'joined' ? c.welcome.id : -1;
    logs.push([]);
    members.push({ ...c, served: serveClass(c.connection, ringMachine(messages), (line) => logs[k].push(line), options(id)) });
  }
  const roster: Roster[] = [];
  while (roster.length < n) {
    const news = await teacher.heard.newsItem();
    if (news.t === 'member') roster.push({ id: news.id, name: news.name });
  }
  const host = classMemberHost(teacher.connection, roster, async () => new Uint8Array());
  const rosterLinks: MemberLinks[][] = [];
  host.onLinks((links) => rosterLinks.push(links));
  const links = ring(host, ranks(n));
  const reports: { rank: number; heard: number[]; traffic?: MemberStepTraffic }[] = [];
  let readies = 0;
  const spawned = roster.map((_, rank) => {
    const member = host.spawn(rank);
    member.addEventListener('message', (e) => {
      const m = e.data as (typeof reports)[number] & { type: string };
      if (m.type === 'report') reports.push(m);
      if (m.type === 'ready') readies++;
    });
    return member;
  });
  spawned.forEach((m, rank) => m.postMessage({ type: 'init', rank, world: n, left: links[rank].left, right: links[rank].right }));
  await until(() => readies === n);
  spawned.forEach((m) => m.postMessage({ type: 'go' }));
  await until(() => reports.length === n);
  return { host, members, logs, reports: reports.sort((a, b) => a.rank - b.rank), rosterLinks, roster };
}

describe('links between members', () => {
  it('without WebRTC every link is relayed, and the roster and each step report count its bytes at both ends', async () => {
    const { host, members, logs, reports, roster } = await ringClass(3, 2, (self) => ({ self }));
    logs.forEach((lines) => expect(lines.filter((l) => l.includes('relayed through the class server (this member has no WebRTC)'))).toHaveLength(2));
    reports.forEach((r) => expect(r.heard, `rank ${r.rank} hears both chunks in order`).toEqual([0, 1]));
    for (const r of reports) {
      const right = (r.rank + 1) % 3;
      const left = (r.rank + 2) % 3;
      const toRight = r.traffic!.peers.find((p) => p.rank === right)!;
      const fromLeft = r.traffic!.peers.find((p) => p.rank === left)!;
      expect(toRight.via).toBe('relay');
      // Two ring messages of 8000 bytes each, with their JSON.
      expect(toRight.sent).toBeGreaterThan(2 * RING_FLOATS * 8);
      expect(toRight.sent).toBeLessThan(2 * RING_FLOATS * 8 + 400);
      const receiver = reports[right].traffic!.peers.find((p) => p.rank === r.rank)!;
      expect(receiver.received, `rank ${right} received what rank ${r.rank} sent`).toBe(toRight.sent);
      expect(fromLeft.sent).toBe(0);
      // The init (with its link ends) came from the teacher; the ready went to it.
      expect(r.traffic!.teacher.received).toBeGreaterThan(0);
      expect(r.traffic!.teacher.sent).toBeGreaterThan(0);
    }
    const links = host.links();
    expect(links.map((l) => l.name).sort()).toEqual(['m0', 'm1', 'm2']);
    for (const member of links) {
      expect(member.peers.map((p) => p.via)).toEqual(['relay', 'relay']);
      expect(member.peers.map((p) => p.name).sort()).toEqual(roster.filter((m) => m.id !== member.id).map((m) => m.name).sort());
      expect(member.peers.reduce((s, p) => s + p.sentRelayed, 0)).toBeGreaterThan(2 * RING_FLOATS * 8);
      expect(member.peers.every((p) => p.sentDirect === 0 && p.receivedDirect === 0)).toBe(true);
    }
    await host.shutdown();
    expect(await Promise.all(members.map((m) => m.served))).toEqual(['the teacher ended the session', 'the teacher ended the session', 'the teacher ended the session']);
  });

  it('a peer connection that never opens falls back to the relay after connectMs, delivering what waited, in order', async () => {
    const described: string[] = [];
    /** Signals like a real one (offer, answer over the server) but its channel never opens. */
    class SilentConnection {
      connectionState = 'new';
      localDescription: { sdp: string } | null = null;
      sctp = null;
      addEventListener(): void {}
      createDataChannel() { return { binaryType: '', readyState: 'connecting', addEventListener() {} }; }
      async createOffer() { return { type: 'offer', sdp: 'silent offer' }; }
      async createAnswer() { return { type: 'answer', sdp: 'silent answer' }; }
      async setLocalDescription(d: { sdp: string }) { this.localDescription = d; }
      async setRemoteDescription(d: { type: string; sdp: string }) { described.push(`${d.type}: ${d.sdp}`); }
      async addIceCandidate(): Promise<void> {}
      close(): void {}
    }
    const rtc = SilentConnection as unknown as typeof RTCPeerConnection;
    const { host, logs, reports } = await ringClass(2, 3, (self) => ({ self, rtc, connectMs: 300 }));
    expect(described.sort()).toEqual(['answer: silent answer', 'offer: silent offer']);
    logs.forEach((lines) => expect(lines).toContain(`link to member ${lines === logs[0] ? 2 : 1}: relayed through the class server (no data channel within 0.3 s)`));
    reports.forEach((r) => expect(r.heard).toEqual([0, 1, 2]));
    expect(host.links().flatMap((l) => l.peers.map((p) => p.via))).toEqual(['relay', 'relay']);
    await host.shutdown();
  });

  it('a member whose traffic report is malformed is removed, named', async () => {
    const { host, members, roster } = await ringClass(2, 1, (self) => ({ self }));
    members[1].connection.send('teacher', { k: 'links', traffic: { teacher: { sent: -1, received: 0 }, peers: [] } });
    expect(await members[1].served).toBe('the teacher removed you from the class: sent a malformed message (traffic: teacher.sent must be a count of bytes)');
    expect(host.links().find((l) => l.id === roster[1].id)?.teacher.sent).not.toBe(-1);
    await host.shutdown();
  });
});
