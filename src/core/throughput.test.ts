// Unit tests of the timing records' arithmetic: windowed rate, training-only average, start-up.
import { describe, expect, it } from 'vitest';
import { Throughput } from './throughput';

describe('Throughput', () => {
  it('keeps start-up out of both rates and reports it on its own', () => {
    const t = new Throughput(1000, 2800, 0, 4);
    const r = t.record(1, 100, 10, 2900);
    expect(r.startupMs).toBe(1800);
    expect(r.elapsedMs).toBe(100);
    expect(r.samplesPerSec).toBe(1000);
    expect(r.averageSamplesPerSec).toBe(1000);
    expect(r.windowSteps).toBe(1);
  });

  it('rates the last steps of the window while the average spans the run', () => {
    const t = new Throughput(0, 0, 0, 2);
    // 100 samples per step; the first step is slow (100 ms), then 10 ms a step.
    t.record(1, 100, 10, 100);
    t.record(2, 100, 10, 110);
    t.record(3, 100, 10, 120);
    const r = t.record(4, 100, 10, 130);
    expect(r.windowSteps).toBe(2);
    expect(r.samplesPerSec).toBeCloseTo(10_000, 9);
    expect(r.averageSamplesPerSec).toBeCloseTo(400 / 0.13, 9);
  });

  it('spans at least the window when steps arrive in batches', () => {
    const t = new Throughput(0, 0, 0, 40);
    // 10 samples a step, read back 16 steps at a time; the first batch includes compiling the pipelines.
    const at = (step: number) => 400 + (step - 16) * 10;
    for (const step of [16, 32, 48, 64]) t.record(step, 160, 80, at(step));
    const r = t.record(80, 160, 80, at(80));
    expect(r.windowSteps).toBe(48);
    expect(r.samplesPerSec).toBeCloseTo(1000, 9);
    expect(r.averageSamplesPerSec).toBeCloseTo(800 / 1.04, 9);
  });

  it('leaves pauses and evaluations out of training time', () => {
    const t = new Throughput(0, 0, 0, 100);
    t.record(1, 10, 4, 10);
    t.hold(15);
    // A step in flight at the pause still counts up to its arrival.
    t.record(2, 10, 4, 20);
    t.resume(1020);
    t.exclude(50);
    const r = t.record(3, 10, 4, 1080);
    expect(r.elapsedMs).toBe(30);
    expect(r.averageSamplesPerSec).toBeCloseTo(1000, 9);
    expect(r.samplesPerSec).toBeCloseTo(1000, 9);
  });

  it('counts a resumed run from its first step', () => {
    const t = new Throughput(0, 500, 200, 8);
    const r = t.record(210, 1000, 400, 600);
    expect([r.windowSteps, r.samplesPerSec, r.startupMs]).toEqual([10, 10_000, 500]);
  });
});
