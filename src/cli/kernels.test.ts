// The kernel config key through the CLI: the same weights checksum with kernel=auto and with each kernel
// forced; the run prints its kernels record (--json), measured into the cache file on the first auto run
// and read from it on the next. quick-mnist (one epoch) runs auto and 'blocked'; the tiled kernels run
// the spiral preset (one epoch of 2-16-16-3: every form), because on SwiftShader a workgroup barrier
// costs so much that one quick-mnist epoch with a tiled kernel takes minutes. The tests run in order.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MATMUL_KERNELS } from '../core/config';
import type { DoneRecord, KernelsRecord, MetricRecord } from '../core/metrics';

const NODE_ARGS = ['--import', 'tsx', '--import', './src/cli/register-wgsl.js', 'src/cli/train.ts'];
const cacheFile = join(mkdtempSync(join(tmpdir(), 'lab-kernels-')), 'kernels.json');

function train(preset: string, kernel: string, ...flags: string[]): { kernels: KernelsRecord; done: DoneRecord } {
  const r = spawnSync(process.execPath, [...NODE_ARGS, '--preset', preset, '--set', 'epochs=1', '--set', `kernel=${kernel}`, ...flags, '--json'], {
    encoding: 'utf8', timeout: 600_000, env: { ...process.env, LAB_KERNEL_CACHE: cacheFile },
  });
  expect(r.status, r.stderr).toBe(0);
  const records = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as MetricRecord);
  return {
    kernels: records.find((x): x is KernelsRecord => x.type === 'kernels')!,
    done: records.find((x): x is DoneRecord => x.type === 'done')!,
  };
}

describe('train CLI: kernel', () => {
  it('quick-mnist: kernel=auto measures into the cache file and picks the fastest it timed; the next run reads the cache; the same weights as kernel=blocked', () => {
    const auto = train('quick-mnist', 'auto');
    expect(auto.kernels.source).toBe('measured');
    expect(auto.kernels.products.map((p) => `${p.layer} ${p.product} ${p.shape}`)).toEqual([
      '1 forward 128×64×784', '1 dW 784×64×128', '2 forward 128×10×64', '2 dW 64×10×128', '2 dX 128×64×10',
    ]);
    for (const p of auto.kernels.products) {
      // 'blocked' is always timed (on SwiftShader often alone: the budget runs out); an untimed kernel is never chosen.
      expect(p.timings[0].kernel).toBe('blocked');
      expect(p.timings.every((t) => t.sameBits), `${p.layer} ${p.product}: every kernel gives blocked's bits here`).toBe(true);
      expect(p.kernel).toBe(p.timings.reduce((best, t) => (t.ms < best.ms ? t : best)).kernel);
    }
    expect(Object.keys(JSON.parse(readFileSync(cacheFile, 'utf8')))).toHaveLength(1);
    const cached = train('quick-mnist', 'auto');
    expect(cached.kernels.source).toBe('cached');
    expect(cached.kernels.products.map((p) => p.kernel)).toEqual(auto.kernels.products.map((p) => p.kernel));
    expect(cached.done.weightsSha256).toBe(auto.done.weightsSha256);
    const blocked = train('quick-mnist', 'blocked');
    expect(blocked.kernels.source).toBe('forced');
    expect(blocked.done.weightsSha256).toBe(auto.done.weightsSha256);
  });

  let spiral: ReturnType<typeof train>;
  for (const kernel of MATMUL_KERNELS.filter((k) => k !== 'blocked')) {
    it(`spiral: kernel=${kernel} runs every product and trains to the same weights as kernel=auto`, () => {
      spiral ??= train('spiral', 'auto', '--set', 'batch=200');
      const forced = train('spiral', kernel, '--set', 'batch=200');
      expect(forced.kernels.source).toBe('forced');
      expect(forced.kernels.products.map((p) => p.product)).toEqual(['forward', 'dW', 'forward', 'dW', 'dX', 'forward', 'dW', 'dX']);
      expect(forced.kernels.products.every((p) => p.kernel === kernel)).toBe(true);
      expect(forced.done.weightsSha256).toBe(spiral.done.weightsSha256);
    });
  }
});
