// Requests to a member that it answers with the same id (its state, a snapshot of its weights): each
// resolves with the answer, or with null when the member takes too long or the run ends first.

export class PendingReplies<T> {
  private readonly waiting = new Map<number, (answer: T | null) => void>();
  private lastId = 0;

  /** Sends the request through `send(id)`; null after `timeoutMs` (if given) without an answer. */
  ask(send: (id: number) => void, timeoutMs?: number): Promise<T | null> {
    const id = ++this.lastId;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      send(id);
      if (timeoutMs !== undefined) {
        setTimeout(() => {
          if (this.waiting.delete(id)) resolve(null);
        }, timeoutMs);
      }
    });
  }

  answer(id: number, value: T | null): void {
    this.waiting.get(id)?.(value);
    this.waiting.delete(id);
  }

  /** The run ended: nobody will answer. */
  cancelAll(): void {
    this.waiting.forEach((resolve) => resolve(null));
    this.waiting.clear();
  }
}
