// What the roster and a student's page derive from a class run's records, and what each page accepts from
// the other: a figure per rank from the latest shard and workers records, a member's own shard over its
// epoch, and stats and views checked field by field.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../core/config';
import type { MetricRecord } from '../../core/metrics';
import { readStats, readView } from './class-messages';
import { memberFigures, ownShard, rankFigures } from './roster-figures';

const times = (ms: number) => ({ computeMs: ms / 2, readbackMs: ms / 4, allreduceMs: ms / 8, updateMs: ms / 8 });
const records: MetricRecord[] = [
  { type: 'shard', step: 1, epoch: 1, ids: [[0, 1, 2], [3]] },
  { type: 'workers', step: 1, clock: 'wall', times: [times(100), times(10)], bytesSent: [8, 8], theoryBytes: 8 },
  { type: 'shard', step: 2, epoch: 1, ids: [[4, 5], [6, 7]] },
  { type: 'workers', step: 2, clock: 'wall', times: [times(40), times(20)], bytesSent: [8, 8], theoryBytes: 8 },
];

describe('rankFigures and ownShard', () => {
  it('give each rank its rows, share and speed at the latest step, and its samples this epoch', () => {
    expect(rankFigures(records)).toEqual([{ rows: 2, share: 0.5, samplesPerSec: 50 }, { rows: 2, share: 0.5, samplesPerSec: 100 }]);
    expect(ownShard(records, 0)).toEqual({ step: 2, epoch: 1, ids: [4, 5], epochSamples: 5 });
    expect(ownShard(records, 2)).toBeNull();
  });

  it('add up a member\'s workers: their ids, rows, shares and speeds', () => {
    expect(ownShard(records, 0, 2)).toEqual({ step: 2, epoch: 1, ids: [4, 5, 6, 7], epochSamples: 8 });
    expect(memberFigures(rankFigures(records), 0, 2)).toEqual({ rows: 4, share: 1, samplesPerSec: 150 });
    expect(memberFigures(rankFigures(records), 1)).toEqual({ rows: 2, share: 0.5, samplesPerSec: 100 });
    expect(memberFigures(rankFigures(records), 2)).toBeNull();
  });

  it('know no speed before a step\'s times, and nothing before a shard', () => {
    expect(rankFigures(records.slice(0, 1))).toEqual([{ rows: 3, share: 0.75, samplesPerSec: null }, { rows: 1, share: 0.25, samplesPerSec: null }]);
    expect(rankFigures([])).toEqual([]);
  });
});

describe('readStats and readView', () => {
  it('take well-formed messages, cap an adapter name, and refuse anything else', () => {
    expect(readStats({ k: 'stats', adapter: 'x'.repeat(500), workers: 1 })).toEqual({ k: 'stats', adapter: 'x'.repeat(120), workers: 1 });
    expect(readStats({ k: 'stats', adapter: 'gpu', workers: -1 })).toBeNull();
    expect(readStats({ k: 'stats', adapter: 7, workers: 1 })).toBeNull();
    const view = { k: 'view', run: 1, rank: 0, names: ['Ada'], config: DEFAULT_CONFIG, status: 'running', records: [], links: null };
    expect(readView(view)).toEqual(view);
    expect(readView({ ...view, rank: 0.5 })).toBeNull();
    expect(readView({ ...view, records: 'all' })).toBeNull();
    expect(readView({ ...view, names: [{ html: '<b>' }] })).toBeNull();
    expect(readView({ ...view, status: 'hacked' })).toBeNull();
    expect(readView(null)).toBeNull();
  });
});
