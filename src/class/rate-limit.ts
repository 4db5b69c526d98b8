// A token bucket: a client may spend `rate` a second on average and `burst` at once. The class server
// keeps one for the frames and one for the bytes of each connection, and one per address for handshakes.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, private readonly burst: number, private readonly now: () => number = () => performance.now()) {
    this.tokens = burst;
    this.last = now();
  }

  /** Spends `amount` if the bucket holds it; false (and nothing spent) when the client is over its rate. */
  take(amount = 1): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }
}
