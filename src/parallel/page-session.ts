// The page's handle on one training run: starts the worker, forwards controls, relays its messages.
import type { RunConfig } from '../core/config';
import type { FromWorker, ToWorker } from './protocol';

export class TrainingSession {
  private readonly worker: Worker;

  constructor(config: RunConfig, onMessage: (m: FromWorker) => void) {
    this.worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
    this.worker.onerror = (e) => {
      onMessage({ type: 'error', message: `training worker crashed: ${e.message || 'unknown error'}` });
      onMessage({ type: 'finished' });
    };
    this.send({ type: 'start', config });
  }

  pause(): void {
    this.send({ type: 'pause' });
  }

  resume(): void {
    this.send({ type: 'resume' });
  }

  /** Ends the run; the worker reports a 'stopped' record and finishes. */
  stop(): void {
    this.send({ type: 'stop' });
  }

  /** Ends the worker at once (Reset), without waiting for the run to wind down. */
  terminate(): void {
    this.worker.terminate();
  }

  private send(m: ToWorker): void {
    this.worker.postMessage(m);
  }
}
