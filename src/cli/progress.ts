// Human output of the CLI: a one-line progress bar on a terminal, a line per epoch, and a summary
// (with data parallelism: whether the replicas stayed in sync, and where each step's time went; with model
// parallelism: the measured bubble against theory, and each worker's activation memory and traffic).
import type { KernelsRecord, MetricRecord, PhaseTimes, StagesRecord, SyncRecord, TimingRecord, WorkersRecord } from '../core/metrics';
import { medianBubble } from '../core/model-parallel';

const PHASES: (keyof PhaseTimes)[] = ['computeMs', 'readbackMs', 'allreduceMs', 'updateMs'];

/** The kernels left out because their output differed from 'blocked''s on this adapter, if any. */
function otherBits(r: KernelsRecord): string {
  const kernels = [...new Set(r.products.flatMap((p) => p.timings.filter((t) => !t.sameBits).map((t) => t.kernel)))];
  return kernels.length > 0 ? `; not used, other bits than blocked on this adapter: ${kernels.join(', ')}` : '';
}

export class ProgressPrinter {
  private lastLoss = NaN;
  private lastLine = 0;
  private firstUnsynced: SyncRecord | null = null;
  private syncs = 0;
  private phaseTotals: number[][] = [];
  private workerSteps = 0;
  private lastWorkers: WorkersRecord | null = null;
  private bubbles: number[] = [];
  private scheduled: number[] = [];
  private lastStages: StagesRecord | null = null;
  private lastTiming: TimingRecord | null = null;

  constructor(private readonly out: NodeJS.WriteStream) {}

  record(r: MetricRecord): void {
    switch (r.type) {
      case 'step':
        this.lastLoss = r.loss;
        break;
      case 'timing':
        this.lastTiming = r;
        if (this.out.isTTY) this.bar(r.step, r.totalSteps, r.samplesPerSec);
        break;
      case 'sync':
        this.syncs++;
        if (!r.inSync) this.firstUnsynced ??= r;
        break;
      case 'workers':
        this.addWorkers(r);
        break;
      case 'stages':
        this.lastStages = r;
        // Step 1 includes shader compilation; leave it out.
        if (r.step > 1) {
          this.bubbles.push(r.bubble);
          if (r.scheduled !== null) this.scheduled.push(r.scheduled);
        }
        break;
      case 'eval':
        this.clear();
        console.log(`epoch ${r.epoch}  step ${r.step}  train loss ${this.lastLoss.toFixed(4)}  test loss ${r.testLoss.toFixed(4)}  test accuracy ${(r.testAccuracy * 100).toFixed(2)}%`);
        break;
      case 'done':
        this.clear();
        this.summariseReplicas();
        this.summariseStages();
        this.summariseThroughput();
        console.log(`done: ${r.steps} steps, test accuracy ${(r.testAccuracy * 100).toFixed(2)}%, weights sha256 ${r.weightsSha256}`);
        if (r.membershipChanges) console.log(`the class changed ${r.membershipChanges} time${r.membershipChanges > 1 ? 's' : ''} during the run: it is not claimed to match one device`);
        break;
      case 'stopped':
        this.clear();
        break;
      case 'membership':
        this.clear();
        console.log(`membership after step ${r.step}: ${r.message}`);
        break;
      case 'warning':
        this.clear();
        console.log(`warning: ${r.message}`);
        break;
      case 'kernels':
        console.log(`matmul kernels${r.worker ? ` of ${r.worker.name}` : ''} (${r.source}${r.source === 'measured' ? ` in ${r.tuneMs} ms` : ''} on ${r.adapter}): ${r.products.map((p) => `layer ${p.layer} ${p.product} ${p.kernel}`).join(', ')}${otherBits(r)}`);
        break;
    }
  }

  private addWorkers(r: WorkersRecord): void {
    this.lastWorkers = r;
    // Step 1 includes shader compilation; leave it out of the averages.
    if (r.step === 1) return;
    this.workerSteps++;
    r.times.forEach((t, rank) => {
      this.phaseTotals[rank] ??= [0, 0, 0, 0];
      PHASES.forEach((p, i) => { this.phaseTotals[rank][i] += t[p]; });
    });
  }

  private summariseReplicas(): void {
    if (this.syncs > 0) {
      console.log(this.firstUnsynced
        ? `replicas diverged at step ${this.firstUnsynced.step}: ${this.firstUnsynced.checksums.join(' ')}`
        : `replicas in sync at all ${this.syncs} synchronisations`);
    }
    if (this.workerSteps === 0 || !this.lastWorkers) return;
    const clock = this.lastWorkers.clock === 'gpu' ? 'compute from GPU timestamps, the rest wall clock' : 'wall clock';
    console.log(`mean step time per replica (${clock}; steps 2..): compute / readback / all-reduce / update`);
    this.phaseTotals.forEach((totals, rank) => {
      const ms = totals.map((t) => (t / this.workerSteps).toFixed(1)).join(' / ');
      console.log(`  replica ${rank}: ${ms} ms`);
    });
    const sent = this.lastWorkers.bytesSent;
    if (sent.some((b) => b > 0)) {
      console.log(`all-reduce bytes sent per replica: ${sent.join(', ')} (ring theory 2K(N−1)/N: ${Math.round(this.lastWorkers.theoryBytes)})`);
    }
  }

  private summariseStages(): void {
    const last = this.lastStages;
    const median = medianBubble(this.bubbles);
    if (!last || median === null) return;
    const pct = (f: number) => `${(100 * f).toFixed(1)}%`;
    const theory = last.theory === null ? '' : ` (GPipe theory (p−1)/(m+p−1): ${pct(last.theory)})`;
    const scheduled = medianBubble(this.scheduled);
    const imbalance = scheduled === null ? '' : `; with the measured stage times and free messages: ${pct(scheduled)}`;
    const what = last.mode === 'pipeline' ? 'bubble' : 'idle, waiting for the partial sums';
    console.log(`${what}: median ${pct(median)} of ${last.spans.length} workers × step time over steps 2..${last.step}${theory}${imbalance}`);
    console.log(`activation bytes held per worker: ${last.activationBytes.join(', ')}; bytes sent per step: ${last.bytesSent.join(', ')}`);
  }

  private summariseThroughput(): void {
    const t = this.lastTiming;
    if (!t) return;
    console.log(`throughput: ${Math.round(t.averageSamplesPerSec)} samples/s over ${(t.elapsedMs / 1000).toFixed(1)} s of training `
      + `(${Math.round(t.samplesPerSec)} over the last ${t.windowSteps} steps); ready after ${(t.startupMs / 1000).toFixed(1)} s`);
  }

  /** The live line: the rate over the last steps, so a slow start does not drag it down. */
  private bar(step: number, total: number, samplesPerSec: number): void {
    const width = 30;
    const filled = Math.round((step / total) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] step ${step}/${total}  loss ${this.lastLoss.toFixed(4)}  ${Math.round(samplesPerSec)} samples/s`;
    this.out.write(`\r${line}`);
    this.lastLine = line.length;
  }

  private clear(): void {
    if (this.lastLine && this.out.isTTY) this.out.write(`\r${' '.repeat(this.lastLine)}\r`);
    this.lastLine = 0;
  }
}
