// The bench page: the lab (in its Web Worker) and TensorFlow.js (webgpu backend, on this page) on the
// same adapter, run interleaved — lab, tf, lab, tf, … — for matmuls and training; bench/run.ts drives it.
import { flops, median, type MatmulShape } from '../kernels';
import type { LabReply, LabRequest } from './protocol';
import { startTf, tfKernelsPerStep, tfMatmul, tfTrain } from './tf-side';

export interface PagePlan {
  shapes: MatmulShape[];
  matmulSamples: number;
  sampleMs: number;
  /** Training: each round runs one block of `steps` steps per side; the first round of each batch is a warm-up. */
  train: { batch: number; steps: number }[];
  rounds: number;
  copyBytes: number;
}

export interface SideBySide {
  name: string;
  /** One median per round, per side. */
  lab: number[];
  tf: number[];
}

export interface PageResult {
  lab: string;
  tf: string;
  matmulMs: SideBySide[];
  /** Samples per second, per round. */
  trainSamplesPerSec: (SideBySide & { batch: number; labLoss: number; tfLoss: number })[];
  copyGBs: number;
  /** Kernels TF.js runs per training step at batch 128 (the lab's step is 8 dispatches). */
  tfKernelsPerStep: number;
}

const worker = new Worker(new URL('./lab-worker.ts', import.meta.url), { type: 'module', name: 'lab' });
let waiting: ((reply: LabReply) => void) | null = null;
const firstReply = new Promise<LabReply>((resolve) => { waiting = resolve; });
worker.onmessage = (e: MessageEvent<LabReply>) => waiting?.(e.data);
worker.onerror = (e) => waiting?.({ kind: 'error', message: e.message });

function ask<K extends LabReply['kind']>(request: LabRequest, kind: K): Promise<Extract<LabReply, { kind: K }>> {
  return new Promise((resolve, reject) => {
    waiting = (reply) => {
      if (reply.kind === kind) resolve(reply as Extract<LabReply, { kind: K }>);
      else reject(new Error(reply.kind === 'error' ? reply.message : `lab worker replied ${reply.kind} to ${request.kind}`));
    };
    worker.postMessage(request);
  });
}

const log = (line: string) => console.log(`[bench page] ${line}`);

async function run(plan: PagePlan): Promise<PageResult> {
  const ready = await firstReply;
  if (ready.kind !== 'ready') throw new Error(ready.kind === 'error' ? ready.message : 'lab worker did not start');
  const tfName = await startTf();
  const matmulMs: SideBySide[] = plan.shapes.map((s) => ({ name: s.name, lab: [], tf: [] }));
  for (let r = 0; r < plan.rounds; r++) {
    for (const [i, shape] of plan.shapes.entries()) {
      const warm = r > 0;
      const { ms } = await ask({ kind: 'matmul', shape, samples: plan.matmulSamples, sampleMs: plan.sampleMs, warm }, 'matmul');
      matmulMs[i].lab.push(ms);
      matmulMs[i].tf.push(await tfMatmul(shape, plan.matmulSamples, plan.sampleMs, warm));
      const gf = (x: number) => (flops(shape) / (x * 1e6)).toFixed(3);
      log(`matmul ${shape.name} round ${r + 1}: lab ${gf(ms)} GFLOP/s, tf ${gf(matmulMs[i].tf[r])} GFLOP/s`);
    }
  }
  const trainSamplesPerSec: PageResult['trainSamplesPerSec'] = [];
  for (const { batch, steps } of plan.train) {
    const row = { name: `quick-mnist batch ${batch}`, batch, lab: [] as number[], tf: [] as number[], labLoss: NaN, tfLoss: NaN };
    let first = 1;
    for (let r = 0; r <= plan.rounds; r++) {
      const lab = await ask({ kind: 'train', batch, steps, first }, 'train');
      const tf = await tfTrain(batch, steps, first);
      first += steps;
      log(`train batch ${batch} ${r === 0 ? 'warm-up' : `round ${r}`}: lab ${(batch * steps * 1000 / lab.ms).toFixed(0)}/s loss ${lab.loss.toFixed(3)}, tf ${(batch * steps * 1000 / tf.ms).toFixed(0)}/s loss ${tf.loss.toFixed(3)}`);
      if (r === 0) continue;
      row.lab.push((batch * steps * 1000) / lab.ms);
      row.tf.push((batch * steps * 1000) / tf.ms);
      row.labLoss = lab.loss;
      row.tfLoss = tf.loss;
    }
    trainSamplesPerSec.push(row);
  }
  const { gbs } = await ask({ kind: 'copy', bytes: plan.copyBytes, samples: 3 }, 'copy');
  return { lab: ready.adapter, tf: tfName, matmulMs, trainSamplesPerSec, copyGBs: gbs, tfKernelsPerStep: await tfKernelsPerStep(128) };
}

Object.assign(window, { bench: { run, median } });
