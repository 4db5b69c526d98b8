// The two things every transport offers (Web Worker MessagePorts, worker_threads MessagePorts, a worker
// itself, or a worker's global scope): posting a message and receiving them. Inbox turns received
// messages into awaitable values, so protocol code reads like straight-line code.

export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** Buffers messages from an endpoint and hands them out in arrival order, optionally filtered. */
export class Inbox<T> {
  private readonly queue: T[] = [];
  private readonly waiters: { accept: (m: T) => boolean; resolve: (m: T) => void }[] = [];

  /** Queues only the messages `keep` accepts (others are left to other listeners). */
  constructor(endpoint: Endpoint, keep: (m: T) => boolean = () => true) {
    endpoint.addEventListener('message', (event) => {
      if (keep(event.data as T)) this.push(event.data as T);
    });
    (endpoint as { start?: () => void }).start?.();
  }

  private push(message: T): void {
    const w = this.waiters.findIndex((x) => x.accept(message));
    if (w >= 0) {
      this.waiters.splice(w, 1)[0].resolve(message);
      return;
    }
    this.queue.push(message);
  }

  /** The first queued or future message that `accept` takes. */
  next(accept: (m: T) => boolean = () => true): Promise<T> {
    const i = this.queue.findIndex(accept);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    return new Promise((resolve) => this.waiters.push({ accept, resolve }));
  }
}
