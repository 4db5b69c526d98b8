// A model-parallel worker's passes over one micro-batch: forward (input gathered, or received from the
// previous stage; output sent to the next stage, or the loss logged) and backward (the gradient received
// from the next stage, the input gradient sent to the previous), each segment followed by its
// tensor-parallel sum; and the test set through the whole model after an epoch. With recompute=1 a
// backward first recomputes its micro-batch's activations, unless the shared set still holds them.
import type { Dataset } from '../core/datasets';
import type { PartGpuStep } from '../gpu/part-step';
import type { PartTrainer, Segment } from '../gpu/part-trainer';
import { runClock } from '../gpu/run-clock';
import type { PartExchange, Neighbour } from './part-exchange';
import type { StepTimeline } from './part-timeline';
import type { WorkerInit } from './worker-messages';

export interface PartRoles {
  pipeline: boolean;
  /** Micro-batches a step is cut into (1 unless pipelined). */
  microbatches: number;
  /** Gathers its input batch from the data set: the first stage, and every tensor-parallel worker. */
  takesInput: boolean;
  /** Ends in softmax and the loss: the last stage, and every tensor-parallel worker. */
  computesLoss: boolean;
  /** Reports the loss: each replica's last stage (tensor-parallel workers all compute the same: rank 0). */
  reporter: boolean;
  /** Replica 0 evaluates and hands over checkpoints and the final weights (the replicas are identical). */
  lead: boolean;
}

export function partRoles(init: WorkerInit): PartRoles {
  const { stage, stages, replica } = init.part!;
  const pipeline = init.config.mode === 'pipeline';
  const takesInput = !pipeline || stage === 0;
  const computesLoss = !pipeline || stage === stages - 1;
  return {
    pipeline, microbatches: pipeline ? init.config.microbatches : 1, takesInput, computesLoss,
    reporter: pipeline ? computesLoss : init.rank === 0, lead: replica === 0,
  };
}

export class PartPasses {
  /** The training slot whose activations the recomputation's shared set holds (its forward or recomputation ran last). */
  private interiorOf: number | null = null;

  constructor(
    private readonly trainer: PartTrainer, private readonly gpu: PartGpuStep, private readonly exchange: PartExchange,
    private readonly timeline: StepTimeline, private readonly roles: PartRoles, private readonly dataset: Dataset,
  ) {}

  /** Forward of a micro-batch through this part into `slot`; rows come from ids (training) or the test set. */
  async forward(
    slot: number, key: string, microbatch: number, ids: Uint32Array, split: 'train' | 'test', scale: number, evalStart: number, statsAt: number,
  ): Promise<void> {
    const { trainer, roles } = this;
    const n = ids.length;
    if (roles.takesInput) {
      if (split === 'train') trainer.writeIndices(slot, ids);
    } else {
      trainer.writeInput(slot, await this.exchange.receive('prev', 'act', key, microbatch));
    }
    if (roles.computesLoss && !roles.takesInput) trainer.writeLabels(slot, Uint32Array.from(ids, (i) => this.dataset[split].y[i]));
    const logLoss = roles.computesLoss ? (e: GPUCommandEncoder) => this.gpu.logLoss(e, slot, statsAt) : undefined;
    await this.runSegments(trainer.forward(slot, split, n, scale, evalStart), 'F', microbatch, logLoss);
    if (split === 'train') this.interiorOf = slot;
    if (!roles.computesLoss) await this.send(trainer.output(slot), n * this.topWidth, 'next', 'act', key, microbatch);
  }

  /** Backward of a micro-batch from its output gradient, adding to the gradients when `accumulate`. */
  async backward(slot: number, key: string, microbatch: number, n: number, accumulate: boolean): Promise<void> {
    const { trainer } = this;
    if (!this.roles.computesLoss) trainer.writeTopGrad(slot, await this.exchange.receive('next', 'grad', key, microbatch));
    if (trainer.spec.recompute && this.interiorOf !== slot) {
      await this.runSegments(trainer.recompute(slot, n), 'recompute', microbatch);
      this.interiorOf = slot;
    }
    await this.runSegments(trainer.backward(slot, n, accumulate), 'B', microbatch);
    if (trainer.inputGrad) await this.send(trainer.inputGrad, n * trainer.spec.layout.sizes[0], 'prev', 'grad', key, microbatch);
  }

  /** The test set through the whole model in chunks; its loss and accuracy where this part computes the loss. */
  async evaluate(epoch: number): Promise<{ testLoss: number; testAccuracy: number }> {
    const n = this.dataset.test.n;
    const { evalRows } = this.trainer.spec;
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < n; start += evalRows) {
      const ids = Uint32Array.from({ length: Math.min(evalRows, n - start) }, (_, i) => start + i);
      await this.forward(this.trainer.evalSlot, `eval ${epoch} ${start}`, 0, ids, 'test', 1 / ids.length, start, 0);
      if (this.roles.computesLoss) {
        const s = await this.gpu.readLosses(1);
        lossSum += s.lossSum;
        correct += s.correct;
      }
    }
    return { testLoss: lossSum / n, testAccuracy: correct / n };
  }

  private get topWidth(): number {
    const widths = this.trainer.spec.layout.sizes;
    return widths[widths.length - 1];
  }

  /** Segments in order, each followed by the tensor-parallel sum of its partial result. */
  private async runSegments(segments: Segment[], kind: 'F' | 'B' | 'recompute', microbatch: number, finish?: (e: GPUCommandEncoder) => void): Promise<void> {
    for (const [i, segment] of segments.entries()) {
      const start = runClock();
      await this.gpu.runSegment(segment, `${kind}${microbatch}`, i === segments.length - 1 ? finish : undefined);
      this.timeline.span(kind, microbatch, start);
      const reduce = segment.reduce;
      if (reduce) {
        await this.timeline.timed('wait', microbatch, async () => {
          this.gpu.write(reduce.buffer, await this.exchange.ringSum(await this.gpu.readPartial(reduce.floats)));
        });
      }
    }
  }

  /** Reads `floats` of a buffer after the GPU work and sends them to a neighbour (a 'send' span). */
  private async send(buffer: GPUBuffer, floats: number, to: Neighbour, type: 'act' | 'grad', key: string, microbatch: number): Promise<void> {
    await this.timeline.timed('send', microbatch, async () => this.exchange.send(to, type, key, await this.gpu.readOut(buffer, floats)));
  }
}
