// The CLI's kernel cache file: workers that share it take turns (its lock file), each finding what the one
// before it saved; a lock left by a process that is gone does not hold anyone up.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileKernelCache } from './kernel-cache-file';

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'lab-kernel-cache-')), 'kernels.json');
const choice = { kernel: 'tile64-4' as const, timings: [] };

describe('kernel cache file', () => {
  it('two workers on one adapter take turns: the second starts after the first saved, and reads its choice', async () => {
    const path = freshPath();
    const [first, second] = [fileKernelCache(path), fileKernelCache(path)];
    const order: string[] = [];
    const measure = (name: string, cache: typeof first) => cache.exclusive('GPU', async () => {
      order.push(`${name} in`);
      const known = await cache.load('GPU');
      if (!known['forward 8×8×8']) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await cache.save('GPU', { 'forward 8×8×8': choice });
      }
      order.push(`${name} out`);
      return Object.keys(known).length;
    });
    const seen = await Promise.all([measure('a', first), measure('b', second)]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(seen).toEqual([0, 1]);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('a lock whose process is gone is taken over', async () => {
    const path = freshPath();
    // No process has this pid (above Linux's pid_max).
    writeFileSync(`${path}.lock`, '4194305');
    expect(await fileKernelCache(path).exclusive('GPU', async () => 'ran')).toBe('ran');
  });
});
