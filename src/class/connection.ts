// A client's connection to the class server (the teacher's or a member's, in Node over `ws` or in a page
// over the browser's WebSocket): says who it is, then sends and hears relayed messages, each one text frame
// and the binary frames of its vectors (wire.ts), and the session's news (who joined, who left).
import { encode } from './wire';
import type { Address, FromServer, ToServer } from './protocol';

/** What `ws`'s WebSocket and the browser's both offer. */
export interface ClassSocket {
  binaryType: string;
  readonly readyState: number;
  send(data: string | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown; code?: number }) => void): void;
}

export interface Relayed {
  from: Address;
  body: unknown;
  frames: ArrayBuffer[];
}

/** What answers a hello: a session opened or taken, a member joined, or a knock passed on to the teacher. */
export type Welcome = Extract<FromServer, { t: 'opened' | 'joined' | 'knocking' }>;
export type SessionNews = Extract<FromServer, { t: 'member' | 'left' | 'teacher-left' | 'teacher-back' | 'closed' | 'knock' | 'unknocked' }>;

export class ClassConnection {
  /** Resolves with why the connection ended: the server's word (refused, closed) or the socket's. */
  readonly ended: Promise<string>;
  /** The server's welcome once it came (a member's id and the session's STUN/TURN servers are in `joined`). */
  welcomed: Welcome | null = null;
  private why: string | null = null;
  /** A knock the teacher let in: the session and its join token, to join with. */
  admitted: { session: string; joinKey: string } | null = null;
  private pending: { from: Address; body: unknown; n: number; frames: ArrayBuffer[] } | null = null;
  /** Several may listen (a page's own view of the class beside serveClass or the run's member host): each takes what it knows. */
  private readonly messageListeners: ((m: Relayed) => void)[] = [];
  private readonly newsListeners: ((n: SessionNews) => void)[] = [];
  /** What arrived before anyone listened. */
  private readonly early: (Relayed | SessionNews)[] = [];

  private constructor(private readonly socket: ClassSocket, hello: ToServer, private readonly welcome: (w: Welcome) => void) {
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => socket.send(JSON.stringify(hello)));
    socket.addEventListener('message', (e) => this.receive(e.data));
    this.ended = new Promise((resolve) => socket.addEventListener('close', (e) => resolve(this.why ?? `the class server closed the connection (code ${e.code ?? '?'})`)));
  }

  /** Connects and says who it is; rejects with the server's reason when it refuses (a wrong token, a full session). */
  static connect(socket: ClassSocket, hello: ToServer, server: string): Promise<{ connection: ClassConnection; welcome: Welcome }> {
    return new Promise((resolve, reject) => {
      let welcomed = false;
      const connection: ClassConnection = new ClassConnection(socket, hello, (welcome) => {
        welcomed = true;
        connection.welcomed = welcome;
        resolve({ connection, welcome });
      });
      void connection.ended.then((why) => {
        if (!welcomed) reject(new Error(connection.why ?? `could not reach the class server at ${server} (${why})`));
      });
    });
  }

  /** Relays `body` (typed arrays, link ends named by `linkOf`) to the teacher or a member. */
  send(to: Address, body: unknown, linkOf?: (v: object) => unknown): void {
    if (this.socket.readyState !== 1) return;
    const { json, vectors } = encode(body, linkOf);
    this.socket.send(JSON.stringify({ t: 'send', to, n: vectors.length, body: json } satisfies ToServer));
    vectors.forEach((v) => this.socket.send(v));
  }

  onMessage(listener: (m: Relayed) => void): void {
    this.messageListeners.push(listener);
    this.flush();
  }

  onNews(listener: (n: SessionNews) => void): void {
    this.newsListeners.push(listener);
    this.flush();
  }

  /** Teacher: takes a member out of the session, naming why. */
  remove(id: number, why: string): void {
    this.control({ t: 'remove', id, why });
  }

  /** Teacher: lets a knock in (the knocker is handed the join token) or turns it away. */
  admit(knock: number): void {
    this.control({ t: 'admit', knock });
  }

  turnAway(knock: number): void {
    this.control({ t: 'turn-away', knock });
  }

  /** Teacher: ends the session (every member is let go), then the connection. */
  closeSession(): void {
    this.control({ t: 'close' });
    this.socket.close(1000);
  }

  disconnect(): void {
    this.socket.close(1000);
  }

  private control(m: ToServer): void {
    if (this.socket.readyState === 1) this.socket.send(JSON.stringify(m));
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      const p = this.pending;
      if (!p) return;
      p.frames.push(data as ArrayBuffer);
      if (p.frames.length === p.n) {
        this.pending = null;
        this.deliver({ from: p.from, body: p.body, frames: p.frames });
      }
      return;
    }
    let m: FromServer;
    try {
      m = JSON.parse(data) as FromServer;
    } catch {
      this.why = 'the class server sent a frame that is not JSON';
      return this.socket.close(1002);
    }
    if (m.t === 'from') {
      if (m.n > 0) this.pending = { from: m.from, body: m.body, n: m.n, frames: [] };
      else this.deliver({ from: m.from, body: m.body, frames: [] });
    } else if (m.t === 'opened' || m.t === 'joined' || m.t === 'knocking') this.welcome(m);
    else if (m.t === 'admitted') {
      this.admitted = { session: m.session, joinKey: m.joinKey };
      this.why = 'admitted by the teacher';
    }
    else if (m.t === 'refused') this.why = m.message;
    else {
      if (m.t === 'closed') this.why = m.why;
      this.deliver(m);
    }
  }

  private deliver(m: Relayed | SessionNews): void {
    this.early.push(m);
    this.flush();
  }

  private flush(): void {
    while (this.early.length > 0) {
      const m = this.early[0];
      if (('frames' in m ? this.messageListeners : this.newsListeners).length === 0) return;
      this.early.shift();
      if ('frames' in m) this.messageListeners.forEach((l) => l(m));
      else this.newsListeners.forEach((l) => l(m));
    }
  }
}
