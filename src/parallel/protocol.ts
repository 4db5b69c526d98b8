// Messages between the page (or CLI) and a training worker: one discriminated union each way.
import type { RunConfig } from '../core/config';
import type { MetricRecord } from '../core/metrics';

export type ToWorker =
  | { type: 'start'; config: RunConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export type FromWorker =
  /** The worker has its GPUDevice; `adapter` describes it for the user. */
  | { type: 'ready'; adapter: string }
  | { type: 'metric'; record: MetricRecord }
  /** Training could not start or failed; metrics already sent stay valid. */
  | { type: 'error'; message: string }
  /** The run is over (done, stopped or failed); the worker can be terminated. */
  | { type: 'finished' };
