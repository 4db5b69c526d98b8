// The transport seam between a coordinator and its members (replicas, pipeline stages, tensor-parallel
// workers): what a member and its host must offer, and how members are named. Nothing else in the
// coordinator knows whether a member is a Web Worker, a worker_thread or a browser across the network.
//
// Messages. The coordinator sends ToReplica messages and hears FromReplica ones (replica-protocol.ts),
// one structured-cloneable object per postMessage, in order. The coordinator speaks first: one `init`
// per member (the config, its rank, its weights or the state to resume, the ends of its links to other
// members); the member loads its device and data, answers `ready`, and trains only after `go`, which
// the coordinator sends once every member of the generation is ready. Then the coordinator sends only
// controls (pause, resume, step, stop), requests (state, snapshot: answered with the same id), star
// sums, each epoch's shares with balance=speed (speed-balance.ts), and pings; the member sends its
// reports, records, star vectors, states (checkpoints, answers) and pongs, and at its end `finished` (or
// `error`). Members talk to each other only over the links of their init (ring neighbours, pipeline
// stages), never through the coordinator, except for star.
//
// Silence. Once a generation trains, the coordinator pings every member each heartbeat period and
// takes one it has not heard from for three periods for dead (heartbeat.ts): a closed tab, a hung
// thread or a lost network look the same. A member must therefore answer pings while it trains (its
// thread never blocks long) and needs no other keep-alive. A run of one member is not watched: no one
// could take over from it.
//
// Crash and restart. A member that dies reports it through onCrash if its transport can tell (an
// uncaught error, a thread exit); otherwise its silence does. Either way the coordinator ends that
// generation (terminate on every member) and spawns a new one; messages of the old generation are
// ignored from then on, except answers (state, snapshot), which name their request. What the new
// generation is depends on the host:
// - a host without `membership` (Web Workers, worker_threads) can start a member in the same rank again:
//   every rank restarts from the run's last consistent state (recovery.ts). A member that fails before
//   every member of its generation is ready ends the run: it could not start.
// - a host with `membership` (a class: a student who closed the tab is not coming back in that rank)
//   cannot: a data-parallel run drops the member and goes on with the others, a smaller world from the
//   same consistent state, and takes in members who join at the next step boundary (elastic.ts).
import type { RunConfig } from '../core/config';
import type { Endpoint } from './ports';

/** One member as the coordinator sees it: post to it, hear from it, end it, and learn of its death. */
export interface Member extends Endpoint {
  /** Ends the member; it may still be mid-step. Called more than once when a run ends during a restart. */
  terminate(): void;
  /**
   * Calls back once if the member dies (an uncaught error or an exit), or with `removed` when its host took
   * it out for what it sent (a message the lab cannot read; `message` says why, for the run to name it).
   */
  onCrash(listener: (message: string, removed?: boolean) => void): void;
}

/**
 * Where members come from. A remote host (src/class) hands out members that relay postMessage over the
 * network, and links whose ends it connects itself: a port in an init's transfer list is the member's
 * end of a link this host made with channel(), and the init goes to the member channel() named for that
 * end. A link is made before the inits that carry its ends are sent, so only its ranks say where each
 * end will be.
 */
export interface MemberHost {
  spawn(rank: number): Member;
  /**
   * A two-ended link between member `a`, which gets port1, and member `b`, which gets port2 (ring
   * neighbours, or a stage and the next). Hosts whose ports travel with their init may ignore the ranks.
   */
  channel(a: number, b: number): { port1: MessagePort; port2: MessagePort };
  readAsset(file: string): Promise<Uint8Array>;
  /** Present where a lost member cannot take its rank again (see the header): who is in the run, and who waits to join. */
  membership?: Membership;
}

/**
 * The members of an elastic host, in the rank order of the next generation it spawns. Names are plain
 * text, as the members gave them.
 */
export interface Membership {
  names(): readonly string[];
  /** Members who joined since and wait to enter the run. */
  waiting(): number;
  /** Takes the first `count` waiting members in, after the current ranks; returns the names of the ranks they bring. */
  admit(count: number): string[];
  /**
   * Member `rank` is out of the run for good (`why`, for it and the roster), with the ranks together(rank) names;
   * the ranks after them move down.
   */
  drop(rank: number, why: string): void;
  /** The ranks that leave with `rank`, itself included (a class member's workers); just `rank` when absent. */
  together?(rank: number): number[];
  /** How many ranks each waiting member brings, in order; one each when absent. */
  offers?(): readonly number[];
  /** Calls back when a member joins and waits. */
  onJoin(listener: () => void): void;
}

/** How the page and the CLI name member k of a run (data × pipeline: member k is stage k mod S of replica ⌊k/S⌋). */
export function workerName(config: Pick<RunConfig, 'mode' | 'replicas' | 'stages'>, rank: number): string {
  if (config.mode === 'tensor') return `tensor-parallel worker ${rank}`;
  if (config.mode === 'data') return `replica ${rank}`;
  const stage = rank % config.stages;
  return config.replicas > 1 ? `replica ${Math.floor(rank / config.stages)} stage ${stage}` : `stage ${stage}`;
}
