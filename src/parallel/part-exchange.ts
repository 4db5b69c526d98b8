// A model-parallel worker's exchanges: activations forward and their gradients backward with the
// neighbouring stages over MessagePorts, and ring sums: tensor-parallel partial results among all the
// workers, or a pipeline stage's gradients with the same stage of the other replicas.
import { AllreduceRounds, ringLinks } from './allreduce';
import type { StepTimeline } from './part-timeline';
import { Inbox, type Endpoint } from './ports';
import type { WorkerInit } from './worker-messages';

/** Activations (forward) and their gradients (backward) between neighbouring stages. */
interface StageMessage {
  type: 'act' | 'grad';
  /** Which step (or evaluation chunk) and micro-batch. */
  key: string;
  data: Float32Array;
}

export type Neighbour = 'prev' | 'next';

export class PartExchange {
  private readonly ports: Partial<Record<Neighbour, MessagePort>>;
  private readonly inboxes: Partial<Record<Neighbour, Inbox<StageMessage>>>;
  private readonly ring: AllreduceRounds;

  constructor(init: WorkerInit, private readonly timeline: StepTimeline) {
    const { rank, world } = init;
    const { prev, next, replica, replicas } = init.part!;
    this.ports = { prev, next };
    this.inboxes = {
      prev: prev && new Inbox<StageMessage>(prev as unknown as Endpoint),
      next: next && new Inbox<StageMessage>(next as unknown as Endpoint),
    };
    // Tensor: a ring of all workers, for the partial sums. Data × pipeline: a ring of this stage's replicas.
    const links = init.left && init.right
      ? init.config.mode === 'pipeline' ? ringLinks(replica, replicas, init.left, init.right) : ringLinks(rank, world, init.left, init.right)
      : null;
    this.ring = new AllreduceRounds(links);
  }

  /** Waits (a 'wait' span) for a neighbour's activations or gradients of step-and-micro-batch `key`. */
  async receive(from: Neighbour, type: StageMessage['type'], key: string, microbatch: number): Promise<Float32Array> {
    const m = await this.timeline.timed('wait', microbatch, () => this.inboxes[from]!.next((x) => x.type === type && x.key === key));
    return m.data;
  }

  send(to: Neighbour, type: StageMessage['type'], key: string, data: Float32Array): void {
    this.timeline.bytesSent += data.byteLength;
    this.ports[to]!.postMessage({ type, key, data } satisfies StageMessage, [data.buffer]);
  }

  /** The sum of `data` over the ring. */
  async ringSum(data: Float32Array): Promise<Float32Array> {
    const { sum, bytesSent } = await this.ring.sum(data);
    this.timeline.bytesSent += bytesSent;
    return sum;
  }
}
