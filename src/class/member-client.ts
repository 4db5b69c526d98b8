// A member's side of a class: each instance the teacher starts (an init) runs as a local member of this
// machine (a worker with its own GPU device, serving the lab's replica code unchanged), its messages go
// to the teacher over the class server, and its link ends become local ports whose traffic is relayed to
// and from the member at the other end.
import type { Member, MemberHost } from '../parallel/members';
import type { ClassConnection, Relayed } from './connection';
import type { LinkRef, MemberSays, TeacherSays } from './remote-members';
import { decode, WireError } from './wire';

interface Instance {
  member: Member;
  /** The local end of each link, and the member at its far end. */
  links: Map<number, { port: MessagePort; peer: number }>;
}

function linkRef(ref: unknown): LinkRef {
  const r = ref as Partial<LinkRef> | null;
  if (!Number.isInteger(r?.link) || !Number.isInteger(r?.peer)) throw new WireError('a malformed link end');
  return r as LinkRef;
}

/**
 * Serves the teacher until the session ends; resolves with why it ended. `log` hears one line per
 * instance started or ended.
 */
export async function serveClass(connection: ClassConnection, local: Pick<MemberHost, 'spawn'>, log: (line: string) => void = () => {}): Promise<string> {
  const instances = new Map<number, Instance>();
  let lastInst = 0;
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
      const { port1, port2 } = new MessageChannel();
      links.set(link, { port: port1, peer });
      port1.addEventListener('message', (e) => connection.send(peer, { k: 'link', link, m: e.data }));
      port1.start();
      memberEnds.push(port2);
      return port2;
    });
    const init = value as { rank: number; world: number };
    const member = local.spawn(init.rank);
    member.addEventListener('message', (e) => connection.send('teacher', { k: 'msg', inst, m: e.data } satisfies MemberSays));
    member.onCrash((message) => connection.send('teacher', { k: 'crash', inst, message } satisfies MemberSays));
    instances.set(inst, { member, links });
    member.postMessage(value, [...buffers, ...memberEnds]);
    log(`instance ${inst}: rank ${init.rank} of ${init.world}, ${links.size} relayed links`);
  };

  const fromTeacher = ({ body, frames }: Relayed) => {
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

  const fromPeer = ({ from, body, frames }: Relayed) => {
    const said = body as { k?: unknown; link?: unknown; m?: unknown } | null;
    if (said?.k !== 'link') return;
    for (const instance of instances.values()) {
      const link = instance.links.get(Number(said.link));
      if (link && link.peer === from) {
        const { value, buffers } = decode(said.m, frames);
        return link.port.postMessage(value, buffers);
      }
    }
  };

  connection.onMessage((m) => {
    try {
      if (m.from === 'teacher') fromTeacher(m);
      else fromPeer(m);
    } catch (e) {
      // A message this member cannot read is dropped; the teacher's heartbeat notices what it breaks.
      log(`dropped a message from ${m.from === 'teacher' ? 'the teacher' : `member ${m.from}`}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  connection.onNews((news) => {
    if (news.t === 'teacher-left' || news.t === 'closed') [...instances.keys()].forEach(end);
    if (news.t === 'teacher-left') log('the teacher left: waiting for the teacher to return');
  });
  const why = await connection.ended;
  [...instances.keys()].forEach(end);
  return why;
}

