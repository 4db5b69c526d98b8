// A member's side of a class: each instance the teacher starts (an init) runs as a local member of this
// machine (a worker with its own GPU device, serving the lab's replica code unchanged), its messages go
// to the teacher over the class server, and its link ends become local ports whose traffic goes to and
// from the member at the other end over a WebRTC data channel, or the server's relay (peer-links.ts). A link
// between two of this member's own workers (its far end is this member) never leaves the machine: the first
// end to arrive makes a local channel, and the second takes its other port.
// The teacher hears this member's traffic per link before each step report, and whenever a link's way changes.
import type { Member, MemberHost } from '../parallel/members';
import type { ClassConnection, Relayed } from './connection';
import { PeerLinks, relayedBytes, type MemberTraffic, type PeerLinksOptions } from './peer-links';
import type { LinkRef, MemberSays, TeacherSays } from './remote-members';
import { decode, encode, WireError } from './wire';

interface Instance {
  member: Member;
  /** The local end of each link, and the member at its far end. */
  links: Map<number, { port: MessagePort; peer: number }>;
}

function joinedAs(connection: ClassConnection): PeerLinksOptions {
  const w = connection.welcomed;
  return w?.t === 'joined' ? { self: w.id, ice: w.ice } : {};
}

function linkRef(ref: unknown): LinkRef {
  const r = ref as Partial<LinkRef> | null;
  if (!Number.isInteger(r?.link) || !Number.isInteger(r?.peer)) throw new WireError('a malformed link end');
  return r as LinkRef;
}

/**
 * Serves the teacher until the session ends; resolves with why it ended. `log` hears one line per
 * instance started or ended, and how each peer's link goes. `links`: this member's id and the session's
 * STUN/TURN servers, for direct links (by default the connection's `joined` welcome's); without an id every
 * link is relayed.
 */
export async function serveClass(
  connection: ClassConnection, local: Pick<MemberHost, 'spawn'>, log: (line: string) => void = () => {}, links: PeerLinksOptions = joinedAs(connection),
): Promise<string> {
  const instances = new Map<number, Instance>();
  let lastInst = 0;
  const teacherTraffic = { sent: 0, received: 0 };
  /** The other port of each local link whose second end has not arrived yet, by link id. */
  const localEnds = new Map<number, MessagePort>();
  const self = links.self;
  const toTeacher = (body: MemberSays) => {
    connection.send('teacher', body);
    const { json, vectors } = encode(body);
    teacherTraffic.sent += relayedBytes(json, vectors);
  };
  const reportTraffic = () => toTeacher({ k: 'links', traffic: { teacher: { ...teacherTraffic }, peers: peers.traffic() } satisfies MemberTraffic });
  const peers = new PeerLinks(connection, links, {
    deliver: (peer, link, value, buffers) => {
      for (const instance of instances.values()) {
        const end = instance.links.get(link);
        if (end && end.peer === peer) return end.port.postMessage(value, buffers);
      }
    },
    changed: reportTraffic,
    log,
  });
  const end = (inst: number) => {
    const instance = instances.get(inst);
    if (!instance) return;
    instances.delete(inst);
    instance.member.terminate();
    instance.links.forEach((l) => l.port.close());
    log(`instance ${inst} ended`);
  };

  const start = (inst: number, json: unknown, frames: ArrayBuffer[]) => {
    const links = new Map<number, { port: MessagePort; peer: number }>();
    /** The ends the local member gets, handed over with its init. */
    const memberEnds: MessagePort[] = [];
    const { value, buffers } = decode(json, frames, (ref) => {
      const { link, peer } = linkRef(ref);
      if (peer === self) {
        let mine = localEnds.get(link);
        if (mine) localEnds.delete(link);
        else {
          const channel = new MessageChannel();
          localEnds.set(link, channel.port2);
          mine = channel.port1;
        }
        memberEnds.push(mine);
        return mine;
      }
      const { port1, port2 } = new MessageChannel();
      links.set(link, { port: port1, peer });
      port1.addEventListener('message', (e) => peers.send(peer, link, e.data));
      port1.start();
      peers.prepare(peer);
      memberEnds.push(port2);
      return port2;
    });
    const init = value as { rank: number; world: number };
    const member = local.spawn(init.rank);
    member.addEventListener('message', (e) => {
      // The traffic up to this step goes just before its report, so the teacher can put it in the step's records.
      if ((e.data as { type?: unknown } | null)?.type === 'report') reportTraffic();
      toTeacher({ k: 'msg', inst, m: e.data });
    });
    member.onCrash((message) => toTeacher({ k: 'crash', inst, message }));
    instances.set(inst, { member, links });
    member.postMessage(value, [...buffers, ...memberEnds]);
    log(`instance ${inst}: rank ${init.rank} of ${init.world}, ${links.size} links`);
  };

  const fromTeacher = ({ body, frames }: Relayed) => {
    teacherTraffic.received += relayedBytes(body, frames);
    const said = body as Partial<TeacherSays> | null;
    const inst = Number(said?.inst);
    if (said?.k === 'end') return end(inst);
    if (said?.k !== 'msg') return;
    const instance = instances.get(inst);
    if (instance) {
      const { value, buffers } = decode(said.m, frames);
      instance.member.postMessage(value, buffers);
    } else if (inst > lastInst && (said.m as { type?: unknown } | null)?.type === 'init') {
      lastInst = inst;
      start(inst, said.m, frames);
    }
  };

  connection.onMessage((m) => {
    try {
      if (m.from === 'teacher') fromTeacher(m);
      else peers.fromServer(m.from, m.body, m.frames);
    } catch (e) {
      // A message this member cannot read is dropped; the teacher's heartbeat notices what it breaks.
      log(`dropped a message from ${m.from === 'teacher' ? 'the teacher' : `member ${m.from}`}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  connection.onNews((news) => {
    if (news.t === 'teacher-left' || news.t === 'closed') [...instances.keys()].forEach(end);
    if (news.t === 'teacher-left') log('the teacher left: waiting for the teacher to return');
    if (news.t === 'teacher-back') log('the teacher is back');
  });
  const why = await connection.ended;
  [...instances.keys()].forEach(end);
  localEnds.forEach((port) => port.close());
  peers.close();
  return why;
}

