// The class server's sessions: who teaches each, who has joined it, and relaying between them. A session
// is a rendezvous, nothing more: the run (config, weights, steps) lives with the teacher and the members,
// so a restarted server loses only who was connected. Nothing is ever looked up outside the sender's session.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { LIMITS, type Address, type FromServer, type IceServer, type Roster } from './protocol';

/** One connected client, as the sessions reach it. */
export interface Peer {
  control(m: FromServer): void;
  /** A relayed message: its envelope and binary frames, sent together so no other message comes between. */
  relay(envelope: FromServer, frames: Uint8Array[]): void;
  /** Tells the client why (a `refused` or `closed` frame), then closes its connection. */
  end(m: FromServer): void;
}

/** What a connection is to the sessions once it has said who it is. */
export type Role = { kind: 'teacher'; session: Session } | { kind: 'member'; session: Session; id: number };
/** A connection that knocked with a session's short code and waits for its teacher's answer. */
export interface Knock {
  kind: 'knock';
  session: Session;
  knock: number;
}

export interface Session {
  readonly id: string;
  readonly joinKey: string;
  readonly teachKey: string;
  /** The server's own session, printed at start: it stays open with no one in it. */
  readonly permanent: boolean;
  teacher: Peer | null;
  members: Map<number, { peer: Peer; name: string; workers: number }>;
  nextId: number;
  /**
   * What a student may type instead of the link. It is no key: it only asks the teacher, who lets each knock
   * in by name (and the knocker is then handed the join token), so anyone who guesses it gets no further.
   */
  readonly code: string;
  knocks: Map<number, Peer>;
  nextKnock: number;
  /** Ends a session whose teacher left, unless the teacher comes back first (not for the server's own). */
  absence: ReturnType<typeof setTimeout> | null;
}

/** 192 random bits, URL-safe. */
const secret = () => randomBytes(24).toString('base64url');

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Short codes: no 0/O or 1/I, eight characters shown as two groups of four. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const newCode = () => [...randomBytes(8)].map((b, i) => (i === 4 ? '-' : '') + CODE_ALPHABET[b & 31]).join('');
/** A typed code as the server stores it: upper case, without spaces or dashes. */
const codeKey = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

export class RefusedError extends Error {}

export class Sessions {
  private readonly byId = new Map<string, Session>();
  private readonly byCode = new Map<string, Session>();

  /**
   * `ice`: the STUN/TURN servers every member hears of as it joins (none: direct links on one network only);
   * `teacherGraceMs`: how long a session waits for the teacher who opened it to come back.
   */
  constructor(private readonly ice: IceServer[] = [], private readonly teacherGraceMs: number = LIMITS.teacherGraceMs) {}

  open(teacher: Peer | null, permanent = false): Session {
    if (this.byId.size >= LIMITS.sessions) throw new RefusedError(`the class server already holds ${LIMITS.sessions} sessions: end one, or restart the server`);
    let code = newCode();
    while (this.byCode.has(codeKey(code))) code = newCode();
    const session: Session = {
      id: randomBytes(6).toString('base64url'), joinKey: secret(), teachKey: secret(), permanent, teacher, members: new Map(), nextId: 1,
      code, knocks: new Map(), nextKnock: 1, absence: null,
    };
    this.byId.set(session.id, session);
    this.byCode.set(codeKey(code), session);
    teacher?.control(this.opened(session));
    return session;
  }

  teach(peer: Peer, id: string, key: string): Role {
    const session = this.find(id);
    if (!sameKey(key, session.teachKey)) throw new RefusedError('wrong teacher token for this session: use the teacher link the class server printed');
    if (session.teacher) throw new RefusedError('this session already has a teacher connected');
    session.teacher = peer;
    if (session.absence) clearTimeout(session.absence);
    session.absence = null;
    peer.control(this.opened(session));
    session.members.forEach((m) => m.peer.control({ t: 'teacher-back' }));
    return { kind: 'teacher', session };
  }

  join(peer: Peer, id: string, key: string, name: string, workers = 1): Role {
    const session = this.find(id);
    if (!sameKey(key, session.joinKey)) throw new RefusedError('wrong join token for this session: ask the teacher for the join link');
    if (session.members.size >= LIMITS.membersPerSession) throw new RefusedError(`the session is full (${LIMITS.membersPerSession} members)`);
    const memberId = session.nextId++;
    session.members.set(memberId, { peer, name, workers });
    peer.control({ t: 'joined', session: session.id, id: memberId, ...(this.ice.length > 0 ? { ice: this.ice } : {}) });
    session.teacher?.control({ t: 'member', id: memberId, name, workers });
    return { kind: 'member', session, id: memberId };
  }

  /**
   * Passes a message on within the sender's session. One to a client that has left is dropped: its
   * departure reached the teacher as `left`, which is what acts on it.
   */
  relay(from: Role, to: Address, body: unknown, frames: Uint8Array[]): void {
    const { session } = from;
    const sender: Address = from.kind === 'teacher' ? 'teacher' : from.id;
    if (to === sender) return;
    const target = to === 'teacher' ? session.teacher : session.members.get(to)?.peer;
    target?.relay({ t: 'from', from: sender, n: frames.length, body }, frames);
  }

  remove(by: Role, id: number, why: string): void {
    if (by.kind !== 'teacher') throw new RefusedError('only the teacher removes members');
    const member = by.session.members.get(id);
    if (!member) return;
    this.leave({ kind: 'member', session: by.session, id }, why);
    member.peer.end({ t: 'refused', message: `the teacher removed you from the class: ${why}` });
  }

  /** A student knocks with a short code: its teacher hears the name and answers with admit or turn-away. */
  knock(peer: Peer, code: string, name: string): Knock {
    const session = this.byCode.get(codeKey(code));
    if (!session) throw new RefusedError('no class with this code on this class server: check the code, or ask the teacher for the join link');
    if (!session.teacher) throw new RefusedError('the teacher of this class is not connected: try again when the class has started');
    if (session.knocks.size >= LIMITS.knocksPerSession) throw new RefusedError('too many are waiting to be let in: try again in a moment');
    const knock = session.nextKnock++;
    session.knocks.set(knock, peer);
    peer.control({ t: 'knocking' });
    session.teacher.control({ t: 'knock', knock, name });
    return { kind: 'knock', session, knock };
  }

  /** The teacher's answer to a knock: admitted, the knocker gets the join token (and joins as anyone with the link does). */
  answer(by: Role, knock: number, admit: boolean): void {
    if (by.kind !== 'teacher') throw new RefusedError('only the teacher lets students in');
    const peer = by.session.knocks.get(knock);
    if (!peer) return;
    by.session.knocks.delete(knock);
    peer.end(admit ? { t: 'admitted', session: by.session.id, joinKey: by.session.joinKey } : { t: 'refused', message: 'the teacher did not let you in' });
  }

  /** A knocker's connection closed before the answer. */
  unknock({ session, knock }: Knock): void {
    if (session.knocks.delete(knock)) session.teacher?.control({ t: 'unknocked', knock });
  }

  /** The teacher ends the session: every member is let go, and its links stop working. */
  close(by: Role): void {
    if (by.kind !== 'teacher') throw new RefusedError('only the teacher ends the session');
    this.end(by.session, 'the teacher ended the session');
  }

  /**
   * A client's connection closed (or it was removed). A session waits for its teacher to come back (with
   * the teacher link, which the teacher's page keeps for a reload); one a teacher's page opened ends if the
   * teacher is not back within teacherGraceMs. The server's own session waits as long as the server runs.
   */
  leave(role: Role, why: string): void {
    const { session } = role;
    if (role.kind === 'teacher') {
      if (session.teacher === null) return;
      session.teacher = null;
      if (!session.permanent) {
        const ms = this.teacherGraceMs;
        const grace = ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
        session.absence = setTimeout(() => this.end(session, `the teacher left and did not come back within ${grace}`), ms);
      }
      session.knocks.forEach((peer) => peer.end({ t: 'refused', message: 'the teacher left before letting you in' }));
      session.knocks.clear();
      session.members.forEach((m) => m.peer.control({ t: 'teacher-left' }));
    } else if (session.members.delete(role.id)) {
      session.teacher?.control({ t: 'left', id: role.id, why });
    }
  }

  /** The server stops: every session ends, and no teacher's absence is waited for any longer. */
  endAll(why: string): void {
    for (const session of this.byId.values()) {
      session.teacher?.end({ t: 'closed', why });
      this.end(session, why);
    }
  }

  /** Lets every member go; the server's own session stays open for the next class. */
  private end(session: Session, why: string): void {
    if (session.absence) clearTimeout(session.absence);
    session.absence = null;
    if (!session.permanent) {
      this.byId.delete(session.id);
      this.byCode.delete(codeKey(session.code));
    }
    session.knocks.forEach((peer) => peer.end({ t: 'refused', message: `the class ended before the teacher let you in (${why})` }));
    session.knocks.clear();
    session.members.forEach((m) => m.peer.end({ t: 'closed', why }));
    session.members.clear();
    session.teacher = null;
  }

  private find(id: string): Session {
    const session = this.byId.get(id);
    if (!session) throw new RefusedError('no such session on this class server (it may have restarted): ask the teacher for a new link');
    return session;
  }

  private opened(session: Session): FromServer {
    const members: Roster[] = [...session.members].map(([id, m]) => ({ id, name: m.name, workers: m.workers }));
    return { t: 'opened', session: session.id, joinKey: session.joinKey, teachKey: session.teachKey, code: session.code, members };
  }
}
