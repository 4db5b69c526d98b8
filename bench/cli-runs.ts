// The bench's CLI part: `npm run train` on Dawn, read as JSON Lines until enough records have arrived,
// then stopped. Gives samples/s at a batch and, with replicas, each step's phase split.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { MetricRecord, PhaseTimes, TimingRecord, WorkersRecord } from '../src/core/metrics';
import { median } from './kernels';

const TRAIN = ['--import', 'tsx', '--import', './src/cli/register-wgsl.js', 'src/cli/train.ts'];

/** Runs the CLI on quick-mnist with `sets` until `enough` says so (or `limitMs`), then stops it. */
function trainUntil(sets: string[], enough: (records: MetricRecord[]) => boolean, limitMs: number): Promise<MetricRecord[]> {
  const args = [...TRAIN, '--preset', 'quick-mnist', '--json', ...sets.flatMap((s) => ['--set', s])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const records: MetricRecord[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill(), limitMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      records.push(JSON.parse(line) as MetricRecord);
      if (enough(records)) child.kill();
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const stopped = records.find((r) => r.type === 'stopped');
      if (stopped && stopped.type === 'stopped') reject(new Error(`CLI run stopped: ${stopped.message}`));
      else resolve(records);
    });
  });
}

export interface CliThroughput {
  batch: number;
  samplesPerSec: number;
  /** Steps the rate was measured over (after the first timing record, which includes compilation). */
  steps: number;
}

/** Samples/s between the first and the last timing record (the first window includes pipeline compilation). */
export async function cliThroughput(batch: number, timings: number, limitMs: number): Promise<CliThroughput> {
  const records = await trainUntil([`batch=${batch}`], (rs) => rs.filter((r) => r.type === 'timing').length >= timings, limitMs);
  const t = records.filter((r): r is TimingRecord => r.type === 'timing');
  if (t.length < 2) throw new Error(`the CLI at batch ${batch} gave ${t.length} timing records in ${limitMs} ms; raise the limit`);
  const [a, b] = [t[0], t[t.length - 1]];
  const samplesA = a.averageSamplesPerSec * (a.elapsedMs / 1000);
  const samplesB = b.averageSamplesPerSec * (b.elapsedMs / 1000);
  return { batch, samplesPerSec: (samplesB - samplesA) / ((b.elapsedMs - a.elapsedMs) / 1000), steps: b.step - a.step };
}

export interface ReplicaSplit {
  replicas: number;
  batch: number;
  clock: 'gpu' | 'wall';
  /** Medians over the measured steps of the mean over replicas, per phase, in ms. */
  phases: PhaseTimes;
  stepMs: number;
  /** (all-reduce + readback) / step. */
  commShare: number;
  steps: number;
}

/** Data-parallel phase split from the CLI's workers records, skipping the first `skip` steps. */
export async function replicaSplit(replicas: number, batch: number, steps: number, skip: number, limitMs: number): Promise<ReplicaSplit> {
  const records = await trainUntil(
    [`batch=${batch}`, `replicas=${replicas}`], (rs) => rs.filter((r) => r.type === 'workers').length >= steps + skip, limitMs,
  );
  const workers = records.filter((r): r is WorkersRecord => r.type === 'workers').slice(skip);
  if (workers.length === 0) throw new Error(`the CLI with ${replicas} replicas gave no workers records in ${limitMs} ms`);
  const keys = ['computeMs', 'readbackMs', 'allreduceMs', 'updateMs'] as const;
  const mean = (w: WorkersRecord, k: (typeof keys)[number]) => w.times.reduce((s, t) => s + t[k], 0) / w.times.length;
  const phases = Object.fromEntries(keys.map((k) => [k, median(workers.map((w) => mean(w, k)))])) as unknown as PhaseTimes;
  const stepMs = keys.reduce((s, k) => s + phases[k], 0);
  return {
    replicas, batch, clock: workers[0].clock, phases, stepMs,
    commShare: (phases.allreduceMs + phases.readbackMs) / stepMs, steps: workers.length,
  };
}
