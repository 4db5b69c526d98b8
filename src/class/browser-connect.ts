// Connecting to a class server from the lab's page, over the browser's WebSocket: whether the page came
// from a class server at all, and a connection that counts the bytes it sends and receives (a member's
// traffic, as its page shows it).
import { ClassConnection, type ClassSocket } from './connection';
import { CLASS_PATH, type ToServer } from './protocol';
import { socketUrl } from './session-link';

/** Bytes through one connection to the class server, both ways (relayed vectors and control frames alike). */
export interface Traffic {
  sent: number;
  received: number;
}

/** The lab's address on the server that served this page: its address without the hash. */
export function pageServer(): string {
  const url = new URL(window.location.href);
  url.hash = '';
  url.search = '';
  return url.href;
}

/**
 * Whether a class server served this page: it answers a plain GET of its session path with a small JSON
 * body, where a static host answers 404 or its index page.
 */
export async function servedByClassServer(): Promise<boolean> {
  try {
    const response = await fetch(new URL(CLASS_PATH.slice(1), pageServer()), { cache: 'no-store' });
    if (!response.ok || !(response.headers.get('content-type') ?? '').includes('application/json')) return false;
    return ((await response.json()) as { classServer?: unknown }).classServer === 1;
  } catch {
    return false;
  }
}

const byteLength = (data: unknown): number =>
  typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data instanceof ArrayBuffer ? data.byteLength : ArrayBuffer.isView(data) ? data.byteLength : 0;

/** Connects this page to the class server at `server` and says who it is; `traffic` counts from then on. */
export function connectBrowser(server: string, hello: ToServer, traffic: Traffic = { sent: 0, received: 0 }): ReturnType<typeof ClassConnection.connect> {
  const ws = new WebSocket(socketUrl(server));
  ws.addEventListener('message', (e) => { traffic.received += byteLength(e.data); });
  const socket: ClassSocket = {
    get binaryType() { return ws.binaryType; },
    set binaryType(type: string) { ws.binaryType = type as BinaryType; },
    get readyState() { return ws.readyState; },
    send(data) {
      traffic.sent += byteLength(data);
      ws.send(data as string | ArrayBufferView<ArrayBuffer>);
    },
    close: (code, reason) => ws.close(code, reason),
    addEventListener: (type, listener) => ws.addEventListener(type, listener as (e: Event) => void),
  };
  return ClassConnection.connect(socket, hello, server);
}
