// How a data-parallel run ends when its replicas finish: every replica's weights checksum must agree (rank 0
// also hands over its weights); a single replica is single-device training and brings its own last record.
import type { MetricRecord } from '../core/metrics';
import type { FromReplica } from './replica-protocol';

type Finished = Extract<FromReplica, { type: 'finished' }>;

export class ReplicaResults {
  private shas: (string | null)[] = [];
  private soloLast: MetricRecord | null = null;
  private weights: Float32Array | null = null;

  constructor(private world: number) {}

  /** Rank 0's final weights (flat layout). */
  get params(): Float32Array | null {
    return this.weights;
  }

  /**
   * A single replica's records are the run's: true for its last (done or stopped), which this keeps until
   * its weights are in; the others pass on as they come.
   */
  holdsLast(record: MetricRecord): boolean {
    if (record.type !== 'done' && record.type !== 'stopped') return false;
    this.soloLast = record;
    return true;
  }

  /** A replica finished; the run's last record once all have, else null. `last`: its last step and test accuracy. */
  finished(m: Finished, last: { step: number; testAccuracy: number }): MetricRecord | null {
    this.shas[m.rank] = m.weightsSha256;
    if (m.params) this.weights = m.params;
    if (this.world === 1) return this.soloLast ?? { type: 'stopped', step: last.step, reason: 'error', message: 'replica 0 finished without a result' };
    // filter skips the ranks not finished yet.
    if (this.shas.filter(() => true).length < this.world) return null;
    const [sha] = this.shas;
    if (sha && this.shas.every((s) => s === sha)) return { type: 'done', steps: last.step, testAccuracy: last.testAccuracy, weightsSha256: sha };
    return { type: 'stopped', step: last.step, reason: 'error', message: `replicas finished with different weights: ${this.shas.join(', ')}` };
  }

  /** A new generation, of `world` replicas, finishes afresh. */
  clear(world: number): void {
    this.world = world;
    this.shas = [];
  }
}
