// Test helpers for the PyTorch DDP export: a Python that has torch with gloo, whether that torch can run a
// feature on CPU (and why not), the lab CLI's run of a config with its export, and the exported script's ranks.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DDP_FILES } from '../core/codegen';
import type { MetricRecord } from '../core/metrics';

const NODE_ARGS = ['--import', 'tsx', '--import', './src/cli/register-wgsl.js', 'src/cli/train.ts'];

/** A Python that can import torch with gloo: $PYTHON, python3, or Debian's; null where there is none. */
export function torchPython(): string | null {
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3']) {
    if (candidate && spawnSync(candidate, ['-c', 'import torch.distributed as d; assert d.is_gloo_available()']).status === 0) return candidate;
  }
  return null;
}

/** The installed torch's version, as `torch.__version__` says it. */
export const torchVersion = (python: string): string => spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim();

/** FSDP's forward and backward on one CPU rank over gloo, as the exported script runs it for zero=2 and 3. */
const FSDP_ON_CPU = [
  'import sys, tempfile, torch, torch.distributed as dist',
  'try:',
  '    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP',
  'except Exception as e:',
  '    sys.exit(f"importing torch.distributed.fsdp fails on Python {sys.version.split()[0]}: {type(e).__name__}: {e}")',
  'dist.init_process_group("gloo", init_method="file://" + tempfile.mktemp(), rank=0, world_size=1)',
  'try:',
  '    net = FSDP(torch.nn.Linear(2, 2), device_id=torch.device("cpu"))',
  '    net(torch.ones(1, 2)).sum().backward()',
  'except Exception as e:',
  '    sys.exit(f"FSDP on CPU: {type(e).__name__}: {e}")',
  'dist.destroy_process_group()',
].join('\n');

/** Why this torch cannot run FSDP on CPU (its error's last line), or null when it can. */
export function fsdpMissing(python: string): string | null {
  const r = spawnSync(python, ['-c', FSDP_ON_CPU], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (r.status === 0) return null;
  return r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`;
}

/** Records of a JSON Lines text. */
export const jsonLines = (text: string): MetricRecord[] => text.trim().split('\n').map((line) => JSON.parse(line) as MetricRecord);

/** The lab CLI trains `--set` pairs with --json, writing its DDP export to a new folder first. */
export function labRunWithExport(sets: readonly string[]): { records: MetricRecord[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lab-ddp-'));
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...sets.flatMap((s) => ['--set', s]), '--json', '--export-ddp', dir], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`the lab CLI failed (${r.status}): ${r.stderr}`);
  return { records: jsonLines(r.stdout), dir };
}

/**
 * Starts the exported script once per rank by hand over gloo; resolves with rank 0's records. Throws with a
 * rank's stderr when it fails, and when a rank other than 0 prints (only rank 0 prints).
 */
export async function runRanks(python: string, dir: string, world: number): Promise<MetricRecord[]> {
  const port = String(29500 + ((process.pid + world * 97) % 1000));
  const rank = (k: number) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = spawn(python, [DDP_FILES.script], {
      cwd: dir, env: { ...process.env, RANK: String(k), WORLD_SIZE: String(world), MASTER_ADDR: '127.0.0.1', MASTER_PORT: port, OMP_NUM_THREADS: '1' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => resolve({ code, out, err }));
  });
  const ranks = await Promise.all(Array.from({ length: world }, (_, k) => rank(k)));
  ranks.forEach((r, k) => { if (r.code !== 0) throw new Error(`rank ${k} of ${dir} exited with ${r.code}: ${r.err}`); });
  const others = ranks.slice(1).map((r) => r.out).join('');
  if (others !== '') throw new Error(`only rank 0 prints, but another printed: ${others}`);
  return jsonLines(ranks[0].out);
}
