// Notices a worker that dies without a word (a terminated Web Worker sends no error event): workers
// answer pings, and one silent for three periods while the run is going is reported once.

export class Heartbeat {
  private readonly lastHeard: number[];
  private readonly timer: ReturnType<typeof setInterval>;
  private watching = false;

  /** Pings every `periodMs` through `ping(rank)` once started; `onSilent(rank)` fires for the first silent worker. */
  constructor(workers: number, periodMs: number, ping: (rank: number) => void, onSilent: (rank: number) => void) {
    this.lastHeard = new Array<number>(workers).fill(performance.now());
    this.timer = setInterval(() => {
      if (!this.watching) return;
      const now = performance.now();
      const silent = this.lastHeard.findIndex((t) => now - t > 3 * periodMs);
      if (silent >= 0) {
        this.stop();
        onSilent(silent);
      } else {
        this.lastHeard.forEach((_, rank) => ping(rank));
      }
    }, periodMs);
  }

  /** Silence counts from now on (once every worker is up: before that, failures arrive as errors). */
  start(): void {
    this.lastHeard.fill(performance.now());
    this.watching = true;
  }

  heard(rank: number): void {
    this.lastHeard[rank] = performance.now();
  }

  stop(): void {
    this.watching = false;
    clearInterval(this.timer);
  }
}
