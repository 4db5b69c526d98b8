// The class server's control frames (JSON text frames; a `send` is followed by its binary frames) and
// the limits it holds every client to. The teacher, the members and the server all speak this.

/** Where a relayed message goes or came from: the session's teacher, or a member by its id. */
export type Address = 'teacher' | number;

/** A STUN or TURN server for the members' peer connections, as RTCPeerConnection takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface Roster {
  id: number;
  name: string;
  /** The workers (replicas, each its own device) the member offers, 1 when left out: it takes this many consecutive ranks. */
  workers?: number;
}

export type ToServer =
  /** Open a new session and teach it. */
  | { t: 'open' }
  /** Teach a session opened before (the server's own, or one whose teacher reconnects). */
  | { t: 'teach'; session: string; key: string }
  /** `workers`: how many replicas this member runs (1 when left out). */
  | { t: 'join'; session: string; key: string; name: string; workers?: number }
  /** Relay `body` to `to` in the sender's session; `n` binary frames follow. */
  | { t: 'send'; to: Address; n: number; body: unknown }
  /** Teacher: take member `id` out of the session. */
  | { t: 'remove'; id: number; why: string }
  /** Teacher: end the session; every member is told and let go. */
  | { t: 'close' }
  /** Ask to join the session whose short code this is; the teacher lets the student in (or not) by name. */
  | { t: 'knock'; code: string; name: string }
  /** Teacher: let a knock in (the knocker is handed the join link) or turn it away. */
  | { t: 'admit' | 'turn-away'; knock: number };

export type FromServer =
  /** `code`: the session's short code, to knock with. */
  | { t: 'opened'; session: string; joinKey: string; teachKey: string; code: string; members: Roster[] }
  /** To the teacher: someone knocks with the short code; `unknocked`: the knocker gave up or left. */
  | { t: 'knock'; knock: number; name: string }
  | { t: 'unknocked'; knock: number }
  /** To a knocker: the teacher has been asked; then `admitted` with the join token, and the connection closes. */
  | { t: 'knocking' }
  | { t: 'admitted'; session: string; joinKey: string }
  /** `ice`: the STUN/TURN servers the class server was given, for the member's direct links. */
  | { t: 'joined'; session: string; id: number; ice?: IceServer[] }
  | { t: 'member'; id: number; name: string; workers: number }
  | { t: 'left'; id: number; why: string }
  | { t: 'teacher-left' }
  /** The teacher is connected again (a reload of the teacher page within TEACHER_GRACE_MS). */
  | { t: 'teacher-back' }
  | { t: 'closed'; why: string }
  /** The server refuses a request or a client; the connection closes after it. */
  | { t: 'refused'; message: string }
  | { t: 'from'; from: Address; n: number; body: unknown };

/** The path of the session service on the class server. */
export const CLASS_PATH = '/class';

export const LIMITS = {
  /** A control frame: a step report lists its shard's sample ids, at most a global batch of 8192. */
  textBytes: 1024 * 1024,
  /** A binary frame: the largest model's weights as float32 (64M) or a ring chunk of them as float64 for two members. */
  binaryBytes: 257 * 1024 * 1024,
  /** Binary frames one message may carry (the lab's carry at most three: weights and optimizer moments). */
  vectorsPerMessage: 8,
  nameLength: 40,
  /** Workers one member may offer (each its own device, so a laptop's few are plenty). */
  workersPerMember: 4,
  membersPerSession: 64,
  /** Knocks one session holds at once, waiting for its teacher. */
  knocksPerSession: 32,
  sessions: 32,
  /** How long a session a teacher's page opened waits for that teacher to come back (a reload) before it ends. */
  teacherGraceMs: 5 * 60_000,
  connections: 512,
  /** Opens, teaches and joins one address may try per second, on average, and in a burst. */
  handshakesPerSecond: 5,
  handshakeBurst: 60,
  /** Frames and bytes a client may send per second, on average, and in a burst. */
  framesPerSecond: 5000,
  frameBurst: 20_000,
  bytesPerSecond: 256 * 1024 * 1024,
  byteBurst: 1024 * 1024 * 1024,
  /** A connection must open, teach or join this soon. */
  helloMs: 10_000,
} as const;

export class ProtocolError extends Error {}

const isString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** A member's name as others will see it: plain text, control characters removed, trimmed, capped. */
export function cleanName(raw: unknown): string {
  if (typeof raw !== 'string') throw new ProtocolError(`name: give a name of 1 to ${LIMITS.nameLength} characters`);
  // Control and bidirectional-override characters would let a name disguise itself or others.
  const name = raw.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, '').trim();
  if (name.length === 0 || name.length > LIMITS.nameLength) throw new ProtocolError(`name: give a name of 1 to ${LIMITS.nameLength} characters`);
  return name;
}

/** A member's workers: 1 when not given. */
export function cleanWorkers(raw: unknown): number {
  if (raw === undefined) return 1;
  if (!Number.isInteger(raw) || (raw as number) < 1 || (raw as number) > LIMITS.workersPerMember) {
    throw new ProtocolError(`workers: give a whole number of 1 to ${LIMITS.workersPerMember}`);
  }
  return raw as number;
}

/** A client's control frame, checked field by field. */
export function parseToServer(text: string): ToServer {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new ProtocolError('a text frame that is not JSON');
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new ProtocolError('a text frame that is not a JSON object');
  const f = m as Record<string, unknown>;
  switch (f.t) {
    case 'open':
    case 'close':
      return { t: f.t };
    case 'teach':
    case 'join':
      if (!isString(f.session, 64)) throw new ProtocolError(`${f.t}: the link has no session`);
      if (!isString(f.key, 128)) throw new ProtocolError(`${f.t}: the link has no token`);
      return f.t === 'teach' ? { t: 'teach', session: f.session, key: f.key } : { t: 'join', session: f.session, key: f.key, name: cleanName(f.name), workers: cleanWorkers(f.workers) };
    case 'send': {
      const to = f.to;
      if (to !== 'teacher' && !(Number.isInteger(to) && (to as number) > 0)) throw new ProtocolError('send: `to` must be "teacher" or a member id');
      if (!Number.isInteger(f.n) || (f.n as number) < 0 || (f.n as number) > LIMITS.vectorsPerMessage) {
        throw new ProtocolError(`send: n must be 0 to ${LIMITS.vectorsPerMessage} binary frames`);
      }
      return { t: 'send', to: to as Address, n: f.n as number, body: f.body };
    }
    case 'knock':
      if (!isString(f.code, 16)) throw new ProtocolError('knock: give the class\'s short code');
      return { t: 'knock', code: f.code, name: cleanName(f.name) };
    case 'admit':
    case 'turn-away':
      if (!Number.isInteger(f.knock)) throw new ProtocolError(`${f.t}: knock must be a knock's number`);
      return { t: f.t, knock: f.knock as number };
    case 'remove':
      if (!Number.isInteger(f.id)) throw new ProtocolError('remove: id must be a member id');
      return { t: 'remove', id: f.id as number, why: typeof f.why === 'string' ? f.why.slice(0, 200) : 'removed by the teacher' };
    default:
      throw new ProtocolError(`unknown frame type ${JSON.stringify(String(f.t)).slice(0, 40)}`);
  }
}
