// The `npm run train` CLI as a user runs it: JSON Lines output, the same checksum twice, exit code 2
// with one line naming the key for bad flags, and quick-mnist reaching the accuracy the issue sets.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoneRecord, MetricRecord } from '../core/metrics';
import { loadCheckpoint } from './checkpoint';

/** The xor preset: 800 training samples in batches of 16. */
const XOR_STEPS_PER_EPOCH = 50;
const NODE_ARGS = ['--import', 'tsx', '--import', './src/cli/register-wgsl.js', 'src/cli/train.ts'];

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function records(stdout: string): MetricRecord[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as MetricRecord);
}

describe('train CLI', () => {
  it('prints JSON Lines only and gives the same weightsSha256 twice', () => {
    const args = ['--preset', 'circles', '--set', 'epochs=2', '--set', 'layers=8', '--json'];
    const a = cli(...args);
    const b = cli(...args);
    expect(a.status, a.stderr).toBe(0);
    const ra = records(a.stdout);
    expect(ra.filter((r) => r.type === 'step')).toHaveLength(100);
    expect(ra.filter((r) => r.type === 'eval').map((r) => r.type === 'eval' && r.epoch)).toEqual([1, 2]);
    const done = ra[ra.length - 1] as DoneRecord;
    expect(done.type).toBe('done');
    expect(done.steps).toBe(100);
    expect(done.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((records(b.stdout).pop() as DoneRecord).weightsSha256).toBe(done.weightsSha256);
  });

  it('every mode\'s timing records: a windowed rate, the training-only average over all samples, one start-up', () => {
    // xor: 50 steps of 16 samples; one device reads steps back in batches, the coordinators report each step.
    for (const mode of [[], ['--set', 'replicas=2'], ['--set', 'mode=pipeline', '--set', 'stages=2', '--set', 'microbatches=2']]) {
      const r = cli('--preset', 'xor', '--set', 'epochs=1', '--set', 'layers=8', ...mode, '--json');
      expect(r.status, r.stderr).toBe(0);
      const timings = records(r.stdout).filter((x) => x.type === 'timing');
      expect(timings.length, mode.join(' ')).toBeGreaterThan(2);
      expect(timings.at(-1)!.step).toBe(50);
      for (const t of timings) {
        expect(t.averageSamplesPerSec * (t.elapsedMs / 1000), `${mode.join(' ')} step ${t.step}`).toBeCloseTo(16 * t.step, 6);
        expect(t.windowSteps).toBeGreaterThanOrEqual(Math.min(t.step, 32));
        expect(t.windowSteps).toBeLessThanOrEqual(t.step);
        expect(t.samplesPerSec).toBeGreaterThan(0);
        expect(t.startupMs).toBe(timings[0].startupMs);
      }
      expect(timings[0].startupMs).toBeGreaterThan(0);
    }
  });

  it('takes a share link, with --set overriding it', () => {
    const r = cli('--link', 'http://localhost:5173/#v=1&dataset=gauss&layers=4&epochs=1&batch=64', '--set', 'epochs=2', '--json');
    expect(r.status, r.stderr).toBe(0);
    const evals = records(r.stdout).filter((x) => x.type === 'eval');
    expect(evals).toHaveLength(2);
    expect(records(r.stdout).filter((x) => x.type === 'step')).toHaveLength(2 * Math.ceil(800 / 64));
  });

  for (const [args, pattern] of [
    [['--set', 'lr=abc'], /^error: lr: must be a decimal number in \(0, 10\], got "abc"\n$/],
    [['--set', 'batch=1.5'], /^error: batch: must be an integer in \[1, 8192\], got "1.5"\n$/],
    [['--set', 'lr=1e400'], /^error: lr: must be a decimal number/],
    [['--set', 'optimizer=rmsprop'], /^error: optimizer: must be one of sgd\|momentum\|adam/],
    [['--link', '#dataset=cifar'], /^error: dataset: must be one of mnist\|spiral\|circles\|xor\|gauss/],
    [['--set', 'colour=red'], /^error: colour: unknown key/],
    [['--preset', 'nope'], /^error: preset: unknown preset "nope"/],
    [['--frobnicate'], /^error: unknown flag "--frobnicate"\n$/],
    [['--set', 'mode=pipeline', '--set', 'stages=3'], /^error: stages: at most 2 for pipeline: the network has 2 dense layers to split\n$/],
  ] as const) {
    it(`exits 2 for ${args.join(' ')}`, () => {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(pattern);
    });
  }

  it('a run killed after a checkpoint resumes to the uninterrupted checksum', async () => {
    // The killed run is far too long to end before the kill on any machine; the resume shortens it to
    // the epoch after the checkpoint, and an uninterrupted run of that many epochs gives the checksum.
    const args = ['--preset', 'xor', '--set', 'layers=8', '--json'];
    const dir = mkdtempSync(join(tmpdir(), 'lab-checkpoint-'));
    const child = spawn(process.execPath, [...NODE_ARGS, ...args, '--set', 'epochs=1000', '--checkpoint', dir, '--checkpoint-every', '20'], { stdio: 'ignore' });
    const savedStep = async () => (existsSync(join(dir, 'checkpoint.bin')) ? (await loadCheckpoint(dir)).state.step : 0);
    while ((await savedStep()) < 40 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const step = await savedStep();
    expect(step % 20).toBe(0);
    expect(step).toBeGreaterThanOrEqual(40);
    const epochs = Math.floor(step / XOR_STEPS_PER_EPOCH) + 2;
    const full = records(cli(...args, '--set', `epochs=${epochs}`).stdout).pop() as DoneRecord;
    const resumed = cli('--resume', dir, '--set', `epochs=${epochs}`, '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    const out = records(resumed.stdout);
    expect(out.find((r) => r.type === 'step')).toMatchObject({ step: step + 1 });
    expect(out.filter((r) => r.type === 'step')).toHaveLength(epochs * XOR_STEPS_PER_EPOCH - step);
    expect((out.pop() as DoneRecord).weightsSha256).toBe(full.weightsSha256);
    const changed = cli('--resume', dir, '--set', 'batch=8');
    expect(changed.status).toBe(2);
    expect(changed.stderr).toMatch(/^error: batch: cannot change a resumed run \(only lr, epochs may change\)/);
  });

  it('2 replicas: checkpoint, then resume, ends with the uninterrupted checksum', () => {
    const args = ['--preset', 'xor', '--set', 'epochs=2', '--set', 'layers=8', '--set', 'replicas=2', '--json'];
    const dir = mkdtempSync(join(tmpdir(), 'lab-checkpoint-dp-'));
    const full = cli(...args, '--checkpoint', dir, '--checkpoint-every', '30');
    expect(full.status, full.stderr).toBe(0);
    const resumed = cli('--resume', dir, '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    const out = records(resumed.stdout);
    // The last checkpoint of 100 steps every 30 is at step 90.
    expect(out.find((r) => r.type === 'step')).toMatchObject({ step: 91 });
    expect((out.pop() as DoneRecord).weightsSha256).toBe((records(full.stdout).pop() as DoneRecord).weightsSha256);
  });

  it('a diverged run leaves its last good state in --checkpoint DIR, and --resume DIR --set lr=… finishes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-diverged-'));
    const args = ['--set', 'dataset=gauss', '--set', 'layers=32,32,32,32,32,32,32,32', '--set', 'optimizer=momentum',
      '--set', 'lr=0.3', '--set', 'batch=16', '--set', 'epochs=3'];
    const diverged = cli(...args, '--checkpoint', dir, '--json');
    expect(diverged.status).toBe(1);
    const stopped = records(diverged.stdout).pop()!;
    expect(stopped).toMatchObject({ type: 'stopped', reason: 'diverged' });
    if (stopped.type !== 'stopped') return;
    const saved = await loadCheckpoint(dir);
    expect(saved.state.step).toBe(stopped.step);
    expect(saved.state.step).toBeLessThan(stopped.divergedAt!);
    expect(saved.state.params.every(Number.isFinite)).toBe(true);
    expect(diverged.stderr).toContain(`are kept: lower the learning rate, e.g. to 0.03, and resume\nthe last good state is saved in ${dir}`);
    const resumed = cli('--resume', dir, '--set', 'lr=0.03', '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    const out = records(resumed.stdout);
    expect(out.find((r) => r.type === 'step')).toMatchObject({ step: saved.state.step + 1 });
    expect(out.pop()).toMatchObject({ type: 'done', steps: 150 });
  });

  it('prints a warning when the loss climbs far above its start, and trains on', () => {
    const r = cli('--preset', 'lr-too-high', '--set', 'epochs=1');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^warning: the loss rose to .* at step \d+, over 10× the first loss .*learning rate 5 may be too high/m);
    expect(r.stdout).toMatch(/^done: /m);
  });

  it('trains a pipeline and prints its bubble, theory and memory per stage', () => {
    const r = cli('--set', 'dataset=spiral', '--set', 'layers=16,16', '--set', 'mode=pipeline', '--set', 'stages=3', '--set', 'microbatches=4', '--set', 'epochs=1');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^bubble: median \d+\.\d% of 3 workers × step time over steps 2\.\.25 \(GPipe theory \(p−1\)\/\(m\+p−1\): 33\.3%\); with the measured stage times and free messages: \d+\.\d%$/m);
    expect(r.stdout).toMatch(/^activation bytes held per worker: \d+, \d+, \d+; bytes sent per step: /m);
    expect(r.stdout).toMatch(/^done: 25 steps/m);
  });

  it('quick-mnist reaches test accuracy ≥ 0.90', () => {
    const r = cli('--preset', 'quick-mnist', '--json');
    expect(r.status, r.stderr).toBe(0);
    const done = records(r.stdout).pop() as DoneRecord;
    expect(done.type).toBe('done');
    expect(done.testAccuracy).toBeGreaterThanOrEqual(0.9);
  });
});
