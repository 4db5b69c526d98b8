// The class server: the built lab over HTTP (or HTTPS, given a certificate) and the session service (a
// WebSocket at /class) on one port.
// Every connection says first who it is (open, teach or join), is held to the size and rate limits of
// protocol.ts, and from then on only relays within its session; a client that breaks the protocol is told
// why and disconnected, and the server goes on serving everyone else.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLASS_PATH, LIMITS, parseToServer, ProtocolError, type Address, type FromServer, type IceServer } from './protocol';
import { TokenBucket } from './rate-limit';
import { RefusedError, Sessions, type Knock, type Peer, type Role } from './sessions';
import { serveStatic } from './static-files';

/** A ws-level ping this often; a client that has not answered the last one by the next is gone (asleep, unplugged). */
const KEEPALIVE_MS = 30_000;

export interface ClassServer {
  /** The lab's address, e.g. http://127.0.0.1:4180/ */
  url: string;
  port: number;
  sessions: Sessions;
  close(): Promise<void>;
}

export interface ClassServerOptions {
  /** The built lab to serve. */
  root: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The rate limits (default LIMITS'; tests tighten them). */
  rates?: Rates;
  /** A certificate and its key (PEM): serve HTTPS and WSS, which browsers need to give a LAN page WebGPU. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** STUN/TURN servers for the members' direct links, handed to each member as it joins. */
  ice?: IceServer[];
  /** How long a session waits for the teacher who opened it to come back (default LIMITS'; tests shorten it). */
  teacherGraceMs?: number;
}

type Rates = Record<'framesPerSecond' | 'frameBurst' | 'bytesPerSecond' | 'byteBurst' | 'handshakesPerSecond' | 'handshakeBurst', number>;

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** One client's connection: its role once it has said who it is, and a relayed message still waiting for its binary frames. */
class Connection implements Peer {
  role: Role | Knock | null = null;
  private pending: { to: Address; body: unknown; n: number; frames: Uint8Array[] } | null = null;
  private readonly frames: TokenBucket;
  private readonly bytes: TokenBucket;
  alive = true;
  /** Told why and closing: nothing it still sends is acted on. */
  private ended = false;

  constructor(private readonly ws: WebSocket, private readonly sessions: Sessions, private readonly rates: Rates, private readonly handshakes: TokenBucket) {
    this.frames = new TokenBucket(rates.framesPerSecond, rates.frameBurst);
    this.bytes = new TokenBucket(rates.bytesPerSecond, rates.byteBurst);
  }

  control(m: FromServer): void {
    this.ws.send(JSON.stringify(m));
  }

  relay(envelope: FromServer, frames: Uint8Array[]): void {
    this.control(envelope);
    frames.forEach((f) => this.ws.send(f, { binary: true }));
  }

  end(m: FromServer): void {
    if (this.ended) return;
    this.ended = true;
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.control(m);
    this.ws.close(4000, m.t);
  }

  receive(data: RawData, isBinary: boolean): void {
    if (this.ended) return;
    const bytes = toBytes(data);
    try {
      if (!this.frames.take() || !this.bytes.take(bytes.byteLength)) {
        throw new RefusedError(`sent faster than the class server allows (${this.rates.framesPerSecond} messages, ${this.rates.bytesPerSecond / 2 ** 20} MB a second)`);
      }
      if (isBinary) this.binary(bytes);
      else this.text(Buffer.from(bytes).toString('utf8'), bytes.byteLength);
    } catch (e) {
      if (!(e instanceof ProtocolError || e instanceof RefusedError)) throw e;
      this.end({ t: 'refused', message: e instanceof ProtocolError ? `protocol error: ${e.message}` : e.message });
    }
  }

  private binary(bytes: Uint8Array): void {
    const p = this.pending;
    if (!p) throw new ProtocolError('a binary frame with no send before it');
    p.frames.push(bytes);
    if (p.frames.length < p.n) return;
    this.pending = null;
    this.sessions.relay(this.role as Role, p.to, p.body, p.frames);
  }

  private text(text: string, size: number): void {
    if (this.pending) throw new ProtocolError(`a text frame where ${this.pending.n - this.pending.frames.length} more binary frames were due`);
    if (size > LIMITS.textBytes) throw new ProtocolError(`a text frame of ${size} bytes (at most ${LIMITS.textBytes})`);
    const m = parseToServer(text);
    if (!this.role) {
      if (m.t !== 'open' && m.t !== 'teach' && m.t !== 'join' && m.t !== 'knock') throw new ProtocolError('say open, teach, join or knock first');
      if (!this.handshakes.take()) throw new RefusedError('too many attempts from this address: wait a few seconds');
      if (m.t === 'open') this.role = { kind: 'teacher', session: this.sessions.open(this) };
      else if (m.t === 'teach') this.role = this.sessions.teach(this, m.session, m.key);
      else if (m.t === 'join') this.role = this.sessions.join(this, m.session, m.key, m.name, m.workers);
      else this.role = this.sessions.knock(this, m.code, m.name);
      return;
    }
    if (this.role.kind === 'knock') throw new ProtocolError(`${m.t}: wait for the teacher to let you in`);
    if (m.t === 'send') {
      if (m.n === 0) this.sessions.relay(this.role, m.to, m.body, []);
      else this.pending = { to: m.to, body: m.body, n: m.n, frames: [] };
    } else if (m.t === 'remove') this.sessions.remove(this.role, m.id, m.why);
    else if (m.t === 'close') this.sessions.close(this.role);
    else if (m.t === 'admit' || m.t === 'turn-away') this.sessions.answer(this.role, m.knock, m.t === 'admit');
    else throw new ProtocolError(`${m.t}: this connection is already in a session`);
  }

  closed(code: number): void {
    if (this.role?.kind === 'knock') this.sessions.unknock(this.role);
    else if (this.role) this.sessions.leave(this.role, code === 1000 || code === 1001 ? 'disconnected' : `connection lost (code ${code})`);
  }
}

/** Browsers say where a page comes from: only the lab this server serves may connect (Node clients send no Origin). */
function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function reject(socket: Duplex, status: string, message: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`);
}

export async function startClassServer(options: ClassServerOptions): Promise<ClassServer> {
  const rates = options.rates ?? LIMITS;
  const sessions = new Sessions(options.ice, options.teacherGraceMs);
  const serve: RequestListener = (req, res) => {
    // A plain GET of the session service's path tells the lab's page that a class server serves it (browser-connect.ts).
    if ((req.url ?? '').split('?')[0] === CLASS_PATH) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return void res.end(JSON.stringify({ classServer: 1 }));
    }
    void serveStatic(options.root, req, res).catch(() => res.destroy());
  };
  const http: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, serve) : createServer(serve);
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.binaryBytes, perMessageDeflate: false });
  const handshakes = new Map<string, TokenBucket>();
  const keepalive = new Map<WebSocket, Connection>();
  const bucketFor = (address: string) => {
    if (handshakes.size > 10_000) handshakes.clear();
    if (!handshakes.has(address)) handshakes.set(address, new TokenBucket(rates.handshakesPerSecond, rates.handshakeBurst));
    return handshakes.get(address)!;
  };

  http.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== CLASS_PATH) return reject(socket, '404 Not Found', `the session service is at ${CLASS_PATH}`);
    if (!originAllowed(req)) return reject(socket, '403 Forbidden', 'this page may not join classes on this server (Origin differs)');
    if (wss.clients.size >= LIMITS.connections) return reject(socket, '503 Service Unavailable', 'the class server is full');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new Connection(ws, sessions, rates, bucketFor(req.socket.remoteAddress ?? ''));
      const hello = setTimeout(() => {
        if (!connection.role) connection.end({ t: 'refused', message: `no open, teach or join within ${LIMITS.helloMs / 1000} s` });
      }, LIMITS.helloMs);
      ws.on('message', (data, isBinary) => connection.receive(data, isBinary));
      ws.on('pong', () => { connection.alive = true; });
      ws.on('error', () => ws.terminate());
      ws.on('close', (code) => {
        clearTimeout(hello);
        keepalive.delete(ws);
        connection.closed(code);
      });
      keepalive.set(ws, connection);
    });
  });

  const pinger = setInterval(() => {
    keepalive.forEach((c, ws) => {
      if (!c.alive) return void ws.terminate();
      c.alive = false;
      ws.ping();
    });
  }, KEEPALIVE_MS);
  pinger.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${hostPart}:${port}/`,
    port,
    sessions,
    close: async () => {
      clearInterval(pinger);
      sessions.endAll('the class server stopped');
      wss.clients.forEach((ws) => ws.terminate());
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
