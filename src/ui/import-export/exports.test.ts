// Unit tests of the CSV and Chrome trace downloads.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../core/config';
import type { MetricRecord } from '../../core/metrics';
import { CSV_COLUMNS, toChromeTrace, toCsv } from './exports';

const times = (c: number) => ({ computeMs: c, readbackMs: 1, allreduceMs: 2, updateMs: 0.5 });
const RECORDS: MetricRecord[] = [
  { type: 'step', step: 1, epoch: 1, loss: 0.7, accuracy: 0.5, lr: 0.05, replicaLoss: [0.6, 0.8] },
  { type: 'shard', step: 1, epoch: 1, ids: [[0], [1]] },
  { type: 'workers', step: 1, clock: 'wall', times: [times(3), times(4)], bytesSent: [10, 10], theoryBytes: 10 },
  { type: 'step', step: 2, epoch: 1, loss: 0.5, accuracy: 1, lr: 0.1, replicaLoss: [0.4, 0.6] },
  { type: 'workers', step: 2, clock: 'wall', times: [times(3), times(3)], bytesSent: [10, 10], theoryBytes: 10 },
  { type: 'timing', step: 2, totalSteps: 2, samplesPerSec: 100, windowSteps: 2, averageSamplesPerSec: 90, elapsedMs: 20, startupMs: 1800 },
  { type: 'eval', epoch: 1, step: 2, testLoss: 0.4, testAccuracy: 0.75 },
  { type: 'stopped', step: 2, reason: 'user', message: 'stopped, "by hand"' },
];

describe('toCsv', () => {
  it('writes a header and one row per flat record, quoting where needed', () => {
    const lines = toCsv(RECORDS).trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(6);
    expect(lines[1]).toBe('step,1,1,0.7,0.5,0.05,0.6;0.8,,,,,,,,,,,,,,,,,,');
    expect(lines[3]).toBe('timing,2,,,,,,,,2,100,2,90,20,1800,,,,,,,,,,');
    expect(lines[4]).toBe('eval,2,1,,,,,0.4,0.75,,,,,,,,,,,,,,,,');
    expect(lines[5].endsWith(',user,"stopped, ""by hand""",,,,,,')).toBe(true);
    for (const line of lines.slice(1, 4)) expect(line.split(',')).toHaveLength(CSV_COLUMNS.length);
  });
});

describe('toChromeTrace', () => {
  it('lays each replica\'s phases end to end, steps aligned at the slowest replica', () => {
    const slices = toChromeTrace(RECORDS, { ...DEFAULT_CONFIG, replicas: 2 }).traceEvents.filter((e) => e.ph === 'X');
    expect(slices).toHaveLength(16);
    const r1 = slices.filter((e) => e.tid === 1);
    expect(r1.slice(0, 4).map((e) => [e.name, e.ts, e.dur])).toEqual([
      ['compute', 0, 4000], ['readback', 4000, 1000], ['all-reduce', 5000, 2000], ['update', 7000, 500],
    ]);
    expect(r1[4].ts).toBe(7500); // step 2 starts when the slower replica 1 ended step 1
    expect(slices.find((e) => e.tid === 0 && e.args?.step === 2)?.ts).toBe(7500);
  });

  it('puts the update before the averaging with local SGD', () => {
    const slices = toChromeTrace(RECORDS, { ...DEFAULT_CONFIG, replicas: 2, sync: 4 }).traceEvents.filter((e) => e.ph === 'X');
    expect(slices.slice(0, 4).map((e) => e.name)).toEqual(['compute', 'readback', 'update', 'all-reduce']);
  });

  it('uses the timing windows of a single-replica run', () => {
    const single: MetricRecord[] = [
      { type: 'timing', step: 16, totalSteps: 32, samplesPerSec: 50, windowSteps: 16, averageSamplesPerSec: 50, elapsedMs: 100, startupMs: 900 },
      { type: 'timing', step: 32, totalSteps: 32, samplesPerSec: 60, windowSteps: 32, averageSamplesPerSec: 55, elapsedMs: 180, startupMs: 900 },
    ];
    const slices = toChromeTrace(single, DEFAULT_CONFIG).traceEvents.filter((e) => e.ph === 'X');
    expect(slices.map((e) => [e.name, e.ts, e.dur])).toEqual([['steps 1–16', 0, 100_000], ['steps 17–32', 100_000, 80_000]]);
  });
});
