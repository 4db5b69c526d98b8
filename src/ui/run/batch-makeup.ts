// What one update's batch is made of: accumulated micro-batches × rows × replicas (pipeline replicas too),
// as the form says beside the batch field and the math panel in its accumulation step.
import type { RunConfig } from '../../core/config';

/** "64 = 4 micro-batches × 8 rows × 2 replicas"; rows are the mean where the batch does not divide evenly. */
export function batchMakeup(c: RunConfig): string {
  const replicas = c.mode === 'tensor' ? 1 : c.replicas;
  const rows = c.batch / (c.accumulate * replicas);
  const parts = [
    `${c.accumulate} micro-batch${c.accumulate > 1 ? 'es' : ''}`,
    `${Number.isInteger(rows) ? rows : `about ${rows.toFixed(1)}`} row${rows === 1 ? '' : 's'}`,
    ...(replicas > 1 ? [`${replicas} replicas`] : []),
  ];
  return `${c.batch} = ${parts.join(' × ')}`;
}
