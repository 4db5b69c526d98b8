// Human output of the CLI: a one-line progress bar on a terminal, a line per epoch, and a summary.
import type { MetricRecord } from '../core/metrics';

export class ProgressPrinter {
  private lastLoss = NaN;
  private lastLine = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  record(r: MetricRecord): void {
    switch (r.type) {
      case 'step':
        this.lastLoss = r.loss;
        break;
      case 'timing':
        if (this.out.isTTY) this.bar(r.step, r.totalSteps, r.samplesPerSec);
        break;
      case 'eval':
        this.clear();
        console.log(`epoch ${r.epoch}  step ${r.step}  train loss ${this.lastLoss.toFixed(4)}  test loss ${r.testLoss.toFixed(4)}  test accuracy ${(r.testAccuracy * 100).toFixed(2)}%`);
        break;
      case 'done':
        this.clear();
        console.log(`done: ${r.steps} steps, test accuracy ${(r.testAccuracy * 100).toFixed(2)}%, weights sha256 ${r.weightsSha256}`);
        break;
      case 'stopped':
        this.clear();
        break;
    }
  }

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
