// A run's members, one generation at a time: spawning a generation with its init messages, routing what
// its members say (an older generation is no longer heard), the heartbeat, counting them ready, and
// the requests they answer by id. members.ts says what flows over this seam and why.
import type { ParamsSnapshot, TrainingState } from '../gpu/train-run';
import { Heartbeat } from './heartbeat';
import type { Member, MemberHost } from './members';
import { PendingReplies } from './replies';
import type { FromReplica, ToReplica } from './replica-protocol';

/** How long a member has to hand over its state. */
const STATE_TIMEOUT_MS = 10_000;

export type Init = Extract<ToReplica, { type: 'init' }>;

/** What a member of the current generation says beyond the talk this module handles itself. */
export type MemberReport = Exclude<FromReplica, { type: 'ready' | 'error' | 'state' | 'snapshot' | 'pong' }>;

export interface MemberEvents {
  ready(rank: number, adapter: string): void;
  /** Every member of the generation is ready. */
  allReady(): void;
  message(m: MemberReport): void;
  /** A member of the current generation crashed, failed or went silent; `what` says which, for the user. */
  failure(rank: number, what: string): void;
  /** Its host took a member of the current generation out for what it sent; `why` says what. */
  removed(rank: number, why: string): void;
}

/** What an init hands over rather than copies: the weights and optimizer state, and the member's link ends. */
function transferOf(init: Init): Transferable[] {
  const ports = [init.left, init.right, init.part?.prev, init.part?.next].filter((p): p is MessagePort => p !== undefined);
  return [init.initialParams.buffer, ...(init.resume ? [init.resume.m.buffer, init.resume.v.buffer] : []), ...ports];
}

export class MemberGenerations {
  private members: Member[] = [];
  /** Members of the current generation (an elastic run's world changes from one to the next). */
  private world = 0;
  private generation = 0;
  private heartbeat: Heartbeat | null = null;
  private readyCount = 0;
  private closed = false;
  private readonly states = new PendingReplies<TrainingState>();
  private readonly snapshots = new PendingReplies<ParamsSnapshot>();

  constructor(private readonly host: MemberHost, private readonly heartbeatMs: number, private readonly on: MemberEvents) {}

  /** Spawns the next generation, one member per init, and sends each its init; only its members are heard from now on. */
  spawn(inits: Init[]): void {
    const gen = ++this.generation;
    this.world = inits.length;
    this.readyCount = 0;
    this.heartbeat?.stop();
    // A Web Worker that is terminated or dies without an error event is only noticed by its silence.
    this.heartbeat = new Heartbeat(this.world, this.heartbeatMs, (rank) => this.send(rank, { type: 'ping' }),
      (rank) => this.fail(gen, rank, `stopped answering for ${(3 * this.heartbeatMs) / 1000} s (a hung or ended worker, or a computer asleep or off the network)`));
    this.members = inits.map((_, rank) => this.host.spawn(rank));
    this.members.forEach((member, rank) => {
      member.addEventListener('message', (e) => this.route(gen, e.data as FromReplica));
      member.onCrash((message, removed) => {
        if (removed && !this.closed && gen === this.generation) this.on.removed(rank, message);
        else if (!removed) this.fail(gen, rank, `crashed: ${message}`);
      });
    });
    inits.forEach((init, rank) => this.send(rank, init, transferOf(init)));
  }

  send(rank: number, m: ToReplica, transfer: Transferable[] = []): void {
    this.members[rank].postMessage(m, transfer);
  }

  all(m: ToReplica): void {
    this.members.forEach((_, rank) => this.send(rank, m));
  }

  /** Every member is ready and the run checked: they train, and silence counts from now. */
  go(): void {
    // A single replica has no one to take over from.
    if (this.world > 1) this.heartbeat?.start();
    this.all({ type: 'go' });
  }

  /**
   * Member `rank`'s whole state (`current`: as it is, even after a non-finite step; see replica-protocol.ts);
   * null if it does not answer in time, or the run is over.
   */
  requestState(rank: number, current = false): Promise<TrainingState | null> {
    if (this.closed) return Promise.resolve(null);
    return this.states.ask((id) => this.send(rank, { type: 'state', id, current }), STATE_TIMEOUT_MS);
  }

  /** Member `rank`'s current weights, for live views; null once the run is over. */
  requestSnapshot(rank: number): Promise<ParamsSnapshot | null> {
    if (this.closed) return Promise.resolve(null);
    return this.snapshots.ask((id) => this.send(rank, { type: 'snapshot', id }));
  }

  /** Ends the current generation's members (a new one follows, or the run ends). */
  retire(): void {
    this.heartbeat?.stop();
    this.members.forEach((m) => m.terminate());
  }

  /** The run is over: nothing more is heard, and the requests still open resolve with null. */
  close(): void {
    this.closed = true;
    this.retire();
    this.states.cancelAll();
    this.snapshots.cancelAll();
  }

  private route(gen: number, m: FromReplica): void {
    if (this.closed) return;
    // An answer names its request, whichever generation it comes from: a state asked for at a pause may
    // arrive after a restart.
    if (m.type === 'state') return this.states.answer(m.id, m.state);
    if (m.type === 'snapshot') return this.snapshots.answer(m.id, m.snapshot);
    if (gen !== this.generation) return;
    this.heartbeat?.heard(m.rank);
    if (m.type === 'ready') {
      this.on.ready(m.rank, m.adapter);
      if (++this.readyCount === this.world) this.on.allReady();
    } else if (m.type === 'error') {
      this.fail(gen, m.rank, `failed: ${m.message}`);
    } else if (m.type !== 'pong') {
      this.on.message(m);
    }
  }

  private fail(gen: number, rank: number, what: string): void {
    if (!this.closed && gen === this.generation) this.on.failure(rank, what);
  }
}
