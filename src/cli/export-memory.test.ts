// The PyTorch export's memory options, each run on 2 gloo ranks against the lab's own training of the same
// config, step by step: zero=1 (ZeroRedundancyOptimizer), zero=2 and 3 (FSDP), accumulate (no_sync) and
// recompute (torch.utils.checkpoint), each under a warm-up and linear decay (LambdaLR). A variant the
// installed torch cannot run on CPU is skipped, its name saying why.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DDP_FILES } from '../core/codegen';
import type { EvalRecord, MetricRecord, StepRecord } from '../core/metrics';
import { fsdpMissing, labRunWithExport, runRanks, torchPython, torchVersion } from './torch-testing';

const python = torchPython();
const fsdpProblem = python && fsdpMissing(python);
const BASE = ['dataset=spiral', 'batch=40', 'epochs=1', 'replicas=2', 'lr=0.02', 'warmup=4', 'lrschedule=linear'];

interface Variant { name: string; sets: string[]; script: string; fsdp: boolean }

const VARIANTS: Variant[] = [
  {
    name: 'zero=1: ZeroRedundancyOptimizer around the lab\'s Adam, accumulate=2 under DDP\'s no_sync',
    sets: ['layers=8', 'zero=1', 'accumulate=2'], script: 'ZeroRedundancyOptimizer(net.parameters(), optimizer_class=LabAdam, lr=LR)', fsdp: false,
  },
  {
    name: 'recompute=1: checkpointed segments of ⌈√4⌉ = 2 layers, momentum',
    sets: ['layers=8,8,8', 'recompute=1', 'optimizer=momentum'], script: 'checkpoint(nn.Sequential(*modules[first:first + cut]), x, use_reentrant=False)', fsdp: false,
  },
  {
    name: 'zero=2: FSDP with SHARD_GRAD_OP, accumulate=2 under FSDP\'s no_sync, recompute=1',
    sets: ['layers=8,8,8', 'zero=2', 'accumulate=2', 'recompute=1'], script: 'ShardingStrategy.SHARD_GRAD_OP', fsdp: true,
  },
  {
    name: 'zero=3: FSDP with FULL_SHARD, momentum',
    sets: ['layers=8,8', 'zero=3', 'optimizer=momentum'], script: 'ShardingStrategy.FULL_SHARD', fsdp: true,
  },
];

/** Why a variant cannot run here, or null. */
function skipReason(v: Variant): string | null {
  if (!python) return 'no Python with torch and gloo here (Debian: apt-get install python3-torch)';
  if (v.fsdp && fsdpProblem) return `torch ${torchVersion(python)} cannot run FSDP on CPU over gloo: ${fsdpProblem}`;
  return null;
}

const ofType = <T extends MetricRecord>(records: MetricRecord[], type: T['type']) => records.filter((r): r is T => r.type === type);

describe('--export-ddp: the memory options on PyTorch, against the lab', () => {
  for (const v of VARIANTS) {
    const reason = skipReason(v);
    if (reason) console.log(`Not run: ${v.name}: ${reason}`);
    it.skipIf(reason !== null)(`${v.name}${reason ? ` (skipped: ${reason})` : ''}`, async () => {
      const { records, dir } = labRunWithExport([...BASE, ...v.sets]);
      expect(readFileSync(join(dir, DDP_FILES.script), 'utf8')).toContain(v.script);
      const torch = await runRanks(python!, dir, 2);
      const labSteps = ofType<StepRecord>(records, 'step');
      const torchSteps = ofType<StepRecord>(torch, 'step');
      expect(torchSteps.map((s) => s.step)).toEqual(labSteps.map((s) => s.step));
      expect(labSteps).toHaveLength(20);
      const relative = labSteps.map((s, i) => Math.abs(torchSteps[i].loss - s.loss) / s.loss);
      console.log(`${v.name}: PyTorch against the lab, max relative loss difference ${Math.max(...relative).toExponential(2)} over ${labSteps.length} steps`);
      labSteps.forEach((s, i) => {
        expect(torchSteps[i].lr, `step ${s.step}`).toBeCloseTo(s.lr, 15);
        expect(Math.abs(torchSteps[i].loss - s.loss) / s.loss, `step ${s.step}`).toBeLessThan(1e-5);
      });
      const [labEval, torchEval] = [records, torch].map((r) => ofType<EvalRecord>(r, 'eval')[0]);
      expect(Math.abs(torchEval.testLoss - labEval.testLoss) / labEval.testLoss).toBeLessThan(1e-5);
    }, 600_000);
  }
});
