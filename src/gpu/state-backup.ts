// The last verified-good training state, kept on the GPU so a diverged run can hand it back: copies of
// the weights and optimizer state (GPU to GPU, nothing read back) in two slots, one always verified.
import { firstNonFinite } from '../core/metrics';
import { readBuffer, storageBuffer } from './context';
import { BACKUP_SLOTS } from './memory';
import type { StateBuffers, TrainingState } from './training-state';


/**
 * A copy of the state after step c counts as good once the losses of steps c+1 and c+2 were read back
 * finite and not soaring (a sane loss at c+2 shows that step c+1's gradient and update were sane too).
 * The good slot is never overwritten; the other slot takes a new copy only when it holds none still
 * waiting to be verified, so a run that reads its losses back late still always has a good state.
 */
export class StateBackup {
  private readonly slots: GPUBuffer[][];
  private good: { slot: number; step: number };
  private candidate: number | null = null;
  private verifiedThrough: number;

  constructor(private readonly device: GPUDevice, private readonly state: StateBuffers, startStep: number) {
    this.slots = Array.from({ length: BACKUP_SLOTS }, (_, s) => [state.params, state.m, state.v].map((b, k) => storageBuffer(device, `backup${s}.${['params', 'm', 'v'][k]}`, b.size)));
    // The state a run starts from (initial weights, or a resumed good state) is good.
    this.good = { slot: 0, step: startStep };
    this.verifiedThrough = startStep;
    this.copy(this.live(), this.slots[0]);
  }

  /** Copies the state after `step` (what the trainer's buffers hold once the queue reaches this point). */
  save(step: number): void {
    if (this.candidate !== null || step <= this.good.step) return;
    this.candidate = step;
    this.copy(this.live(), this.slots[1 - this.good.slot]);
  }

  /** Steps up to `step` were read back finite. */
  verified(step: number): void {
    this.verifiedThrough = Math.max(this.verifiedThrough, step);
    if (this.candidate !== null && this.candidate + 2 <= this.verifiedThrough) {
      this.good = { slot: 1 - this.good.slot, step: this.candidate };
      this.candidate = null;
    }
  }

  /**
   * Step `step` was read back finite but not healthy (a loss far above where the run started): a copy
   * from before it does not count as good, so a diverged run is not handed weights that were already
   * blowing up.
   */
  rejected(step: number): void {
    if (this.candidate !== null && this.candidate < step) this.candidate = null;
  }

  /** Step of the newest good state. */
  get goodStep(): number {
    return this.good.step;
  }

  /**
   * Writes the good state back into the trainer's buffers and reads it out; null if it is not finite
   * after all (it always is unless a gradient was infinite while every loss after it stayed finite).
   */
  async restore(): Promise<TrainingState | null> {
    const slot = this.slots[this.good.slot];
    this.copy(slot, this.live());
    this.candidate = null;
    const [params, m, v] = await Promise.all(slot.map(async (b) => new Float32Array(await readBuffer(this.device, b))));
    if ([params, m, v].some((x) => firstNonFinite(x) >= 0)) return null;
    return { step: this.good.step, params, m, v };
  }

  private live(): GPUBuffer[] {
    return [this.state.params, this.state.m, this.state.v];
  }

  private copy(from: GPUBuffer[], to: GPUBuffer[]): void {
    const encoder = this.device.createCommandEncoder({ label: 'state backup' });
    from.forEach((b, k) => encoder.copyBufferToBuffer(b, 0, to[k], 0, b.size));
    this.device.queue.submit([encoder.finish()]);
  }
}
