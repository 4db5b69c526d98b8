// The teacher's members' host for a class: each member takes as many consecutive ranks as it offers workers,
// in the order they joined ("Ada", then "Ada · 2" for her second), their messages travel over the class
// server, and the links between two members are relayed between them (never through the teacher); a link
// between two workers of one member names that member at both ends, and the member joins it locally
// (member-client.ts). Each spawn is a new instance on that member, so a restarted generation's messages
// never mix with the last one's. The coordinator sees the same Member and MemberHost as with workers, and a
// membership: a member who leaves cannot take its ranks again, so the run goes on without all of them (and
// the host removes it from the session); one who joins waits until the run takes it in at a step boundary.
// Members report their traffic per link (direct or relayed); each step report carries its step's share.
import type { MemberStepTraffic } from '../core/metrics';
import type { Member, MemberHost, Membership } from '../parallel/members';
import type { ClassConnection } from './connection';
import { parseTraffic, type MemberTraffic, type PeerTraffic } from './peer-links';
import type { Roster } from './protocol';
import { decode } from './wire';

/** What the teacher and a member say to each other, besides the lab's own messages inside `m`. */
export type TeacherSays = { k: 'msg'; inst: number; m: unknown } | { k: 'end'; inst: number };
export type MemberSays =
  | { k: 'msg'; inst: number; m: unknown }
  | { k: 'crash'; inst: number; message: string }
  /** The member's traffic so far: sent before each step report, and when a link's way changes. */
  | { k: 'links'; traffic: MemberTraffic };

/** One member's links as the roster shows them: its traffic with the teacher and with each peer, by name. */
export interface MemberLinks {
  id: number;
  name: string;
  teacher: MemberTraffic['teacher'];
  peers: (PeerTraffic & { name: string })[];
}
/** A link end as it travels in an init: the link's id and the member at its other end. */
export interface LinkRef {
  link: number;
  peer: number;
}

/** A link end this host made: it never leaves the teacher, the member gets its LinkRef instead. */
class RelayEnd {
  constructor(readonly ref: LinkRef) {}
}

const linkOf = (v: object) => (v instanceof RelayEnd ? v.ref : undefined);

/** What a member's traffic grew by since `before`, with its peers named by rank (peers not in the run left out). */
function stepTraffic(now: MemberTraffic, before: MemberTraffic | undefined, rankOf: (id: number) => number | undefined): MemberStepTraffic {
  const peers: MemberStepTraffic['peers'] = [];
  for (const p of now.peers) {
    const rank = rankOf(p.peer);
    const b = before?.peers.find((q) => q.peer === p.peer);
    if (rank === undefined) continue;
    peers.push({
      rank, via: p.via,
      sent: p.sentDirect + p.sentRelayed - (b ? b.sentDirect + b.sentRelayed : 0),
      received: p.receivedDirect + p.receivedRelayed - (b ? b.receivedDirect + b.receivedRelayed : 0),
    });
  }
  return {
    teacher: { sent: now.teacher.sent - (before?.teacher.sent ?? 0), received: now.teacher.received - (before?.teacher.received ?? 0) },
    peers: peers.sort((a, b) => a.rank - b.rank),
  };
}

class RemoteMember implements Member {
  private readonly listeners: ((e: MessageEvent) => void)[] = [];
  /** The member's traffic when its last step report (or its spawn) came: each report carries what it grew by. */
  trafficMark: MemberTraffic | undefined;
  private crashListener: ((message: string, removed: boolean) => void) | null = null;
  private crashed: { message: string; removed: boolean } | null = null;
  ended = false;

  constructor(private readonly connection: ClassConnection, readonly id: number, readonly name: string, readonly rank: number, readonly inst: number) {}

  postMessage(message: unknown): void {
    if (!this.ended) this.connection.send(this.id, { k: 'msg', inst: this.inst, m: message } satisfies TeacherSays, linkOf);
  }

  addEventListener(_type: 'message', listener: (e: MessageEvent) => void): void {
    this.listeners.push(listener);
  }

  terminate(): void {
    if (this.ended) return;
    this.ended = true;
    this.connection.send(this.id, { k: 'end', inst: this.inst } satisfies TeacherSays);
  }

  onCrash(listener: (message: string, removed: boolean) => void): void {
    this.crashListener = listener;
    const crashed = this.crashed;
    if (crashed !== null) queueMicrotask(() => listener(crashed.message, crashed.removed));
  }

  hear(data: unknown): void {
    if (!this.ended) this.listeners.forEach((l) => l({ data } as MessageEvent));
  }

  /** `removed`: the host takes the member out for what it sent, and `message` says what (without its name). */
  crash(message: string, removed = false): void {
    if (this.crashed !== null || this.ended) return;
    this.crashed = { message, removed };
    this.crashListener?.(message, removed);
  }
}

export interface ClassMemberHost extends MemberHost {
  /** Ends the session: every member is let go. */
  shutdown(): Promise<void>;
  /** Each member's links as it last reported them (members that have not reported yet are left out). */
  links(): MemberLinks[];
  /** Calls back with links() whenever a member reports. */
  onLinks(listener: (links: MemberLinks[]) => void): void;
}

/**
 * `members`: the run's members in the order they joined, rank k is members[k]; `waiting`: members of the
 * session not in it yet. The host keeps both arrays as its roster: members dropped and admitted change them,
 * and members who join the session later wait.
 */
export function classMemberHost(
  connection: ClassConnection, members: Roster[], readAsset: (file: string) => Promise<Uint8Array>, waiting: Roster[] = [],
): ClassMemberHost {
  const live = new Map<number, RemoteMember>();
  const gone = new Set<number>();
  let nextInst = 1;
  let nextLink = 1;
  const traffic = new Map<number, MemberTraffic>();
  const linkListeners: ((links: MemberLinks[]) => void)[] = [];
  const nameOf = (id: number) => members.find((m) => m.id === id)?.name ?? `member ${id}`;
  const links = (): MemberLinks[] => [...traffic].map(([id, t]) => ({ id, name: nameOf(id), teacher: t.teacher, peers: t.peers.map((p) => ({ ...p, name: nameOf(p.peer) })) }));
  const rankOf = (id: number) => [...live.values()].find((m) => m.id === id && !m.ended)?.rank;
  /** The member at each rank, and which of its workers the rank is. */
  const slots = () => members.flatMap((member) => Array.from({ length: member.workers ?? 1 }, (_, worker) => ({ member, worker })));
  /** A member of the run sent what the teacher cannot read: its instances are out, and so is it. */
  const malformed = (from: number, e: unknown) => {
    const why = `sent a malformed message (${e instanceof Error ? e.message : String(e)})`;
    live.forEach((m) => m.id === from && m.crash(why, true));
    connection.remove(from, why);
  };
  const heardTraffic = (from: number, raw: unknown) => {
    if (!members.some((m) => m.id === from)) return;
    try {
      traffic.set(from, parseTraffic(raw));
    } catch (e) {
      return malformed(from, e);
    }
    const now = links();
    linkListeners.forEach((l) => l(now));
  };
  const slotOf = (rank: number) => {
    const all = slots();
    if (!all[rank]) throw new Error(`rank ${rank} has no member: the class's members offer ${all.length} workers`);
    return all[rank];
  };
  const memberOf = (rank: number): Roster => slotOf(rank).member;
  const rankName = (rank: number) => {
    const { member, worker } = slotOf(rank);
    return worker === 0 ? member.name : `${member.name} · ${worker + 1}`;
  };

  connection.onMessage(({ from, body, frames }) => {
    const said = body as Partial<MemberSays> | null;
    if (said?.k === 'links' && from !== 'teacher') return heardTraffic(from, (said as { traffic?: unknown }).traffic);
    const inst = (said as { inst?: unknown } | null)?.inst;
    // An instance's message that names no instance is malformed (an ended instance's late ones are only
    // ignored; other kinds, such as a page's stats, are for other listeners).
    if ((said?.k === 'msg' || said?.k === 'crash') && !Number.isSafeInteger(inst) && from !== 'teacher' && members.some((m) => m.id === from)) {
      return malformed(from, `its ${said.k} names no instance: inst is ${JSON.stringify(inst ?? null).slice(0, 40)}`);
    }
    const member = live.get(Number(inst));
    // A member speaks only for its own instances.
    if (!member || member.id !== from) return;
    if (said!.k === 'crash') return member.crash(`${member.name}: ${String(said!.message).slice(0, 500)}`);
    try {
      if (said!.k !== 'msg') throw new Error(`k is ${JSON.stringify(said!.k)}`);
      const m = decode(said!.m, frames).value as { type?: unknown; rank?: unknown } | null;
      if (typeof m?.type !== 'string') throw new Error('it has no type');
      if (m.rank !== member.rank) throw new Error(`it speaks for rank ${String(m.rank)}, not its own ${member.rank}`);
      const now = traffic.get(member.id);
      // Only the teacher's own count goes in a report: whatever the member put there is replaced.
      if (m.type === 'report') (m as { traffic?: MemberStepTraffic }).traffic = now && stepTraffic(now, member.trafficMark, rankOf);
      if (m.type === 'report' && now) member.trafficMark = now;
      member.hear(m);
    } catch (e) {
      malformed(member.id, e);
    }
  });
  const joinListeners: (() => void)[] = [];
  connection.onNews((news) => {
    if (news.t === 'member') {
      waiting.push({ id: news.id, name: news.name, workers: news.workers });
      joinListeners.forEach((l) => l());
    }
    if (news.t !== 'left') return;
    gone.add(news.id);
    const w = waiting.findIndex((m) => m.id === news.id);
    if (w >= 0) waiting.splice(w, 1);
    live.forEach((m) => m.id === news.id && m.crash(`${nameOf(m.id)} left the class (${news.why})`));
  });
  /** Why the connection to the class server ended; every member is out of reach from then on. */
  let lost: string | null = null;
  void connection.ended.then((why) => {
    lost = `the class server connection ended: ${why}`;
    live.forEach((m) => m.crash(lost!));
  });

  const membership: Membership = {
    names: () => slots().map((_, rank) => rankName(rank)),
    waiting: () => waiting.length,
    offers: () => waiting.map((m) => m.workers ?? 1),
    admit(count) {
      const first = slots().length;
      members.push(...waiting.splice(0, count));
      return slots().slice(first).map((_, k) => rankName(first + k));
    },
    drop(rank, why) {
      const member = slots()[rank]?.member;
      if (!member) return;
      members.splice(members.indexOf(member), 1);
      if (!gone.has(member.id)) connection.remove(member.id, why);
    },
    together(rank) {
      const member = slots()[rank]?.member;
      return member ? slots().flatMap((s, r) => (s.member === member ? [r] : [])) : [rank];
    },
    onJoin: (listener) => { joinListeners.push(listener); },
  };

  return {
    spawn(rank) {
      const { id } = memberOf(rank);
      const name = rankName(rank);
      const member = new RemoteMember(connection, id, name, rank, nextInst++);
      member.trafficMark = traffic.get(id);
      live.forEach((m, inst) => m.ended && live.delete(inst));
      live.set(member.inst, member);
      if (lost) member.crash(lost);
      else if (gone.has(id)) member.crash(`${name} is no longer in the class`);
      return member;
    },
    channel(a, b) {
      const link = nextLink++;
      const end = (peer: number) => new RelayEnd({ link, peer: memberOf(peer).id }) as unknown as MessagePort;
      return { port1: end(b), port2: end(a) };
    },
    readAsset,
    membership,
    shutdown: async () => {
      connection.closeSession();
      await connection.ended;
    },
    links,
    onLinks: (listener) => { linkListeners.push(listener); },
  };
}
