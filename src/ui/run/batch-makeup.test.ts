// The batch's make-up beside the batch field: micro-batches × rows × replicas.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../core/config';
import { batchMakeup } from './batch-makeup';

describe('batchMakeup', () => {
  it('multiplies out the accumulated micro-batches, their rows and the replicas', () => {
    expect(batchMakeup({ ...DEFAULT_CONFIG, batch: 64, accumulate: 4, replicas: 2 })).toBe('64 = 4 micro-batches × 8 rows × 2 replicas');
    expect(batchMakeup({ ...DEFAULT_CONFIG, batch: 32, accumulate: 32 })).toBe('32 = 32 micro-batches × 1 row');
    expect(batchMakeup({ ...DEFAULT_CONFIG, batch: 100, accumulate: 3, replicas: 2 })).toBe('100 = 3 micro-batches × about 16.7 rows × 2 replicas');
  });

  it('counts no replicas in tensor parallelism, whose workers share every row', () => {
    expect(batchMakeup({ ...DEFAULT_CONFIG, mode: 'tensor', batch: 64, accumulate: 2, replicas: 3 })).toBe('64 = 2 micro-batches × 32 rows');
  });
});
