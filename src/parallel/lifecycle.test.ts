// The run lifecycle: the transitions a run takes, the ones that are bugs, the hold that outlives a
// restart, and the end that happens once.
import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../core/metrics';
import { RunLifecycle } from './lifecycle';

function lifecycle() {
  const emitted: MetricRecord[] = [];
  let closed = 0;
  const run = new RunLifecycle((r) => emitted.push(r), () => { closed++; });
  return { run, emitted, closed: () => closed };
}

const stopped = (message: string): MetricRecord => ({ type: 'stopped', step: 3, reason: 'user', message });

describe('run lifecycle', () => {
  it('goes starting → ready → training ⇄ paused → recovering → starting again → ended', () => {
    const { run } = lifecycle();
    const seen = [run.state];
    run.to('ready');
    run.go();
    seen.push('ready', run.state);
    run.pause();
    seen.push(run.state);
    run.resume();
    seen.push(run.state);
    run.to('recovering');
    run.to('starting');
    seen.push('recovering', run.state);
    run.end(stopped('stopped at step 3'));
    seen.push(run.state);
    expect(seen).toEqual(['starting', 'ready', 'training', 'paused', 'training', 'recovering', 'starting', 'ended']);
  });

  it('throws on a transition the table does not allow, naming both states', () => {
    const { run } = lifecycle();
    expect(() => run.to('training')).toThrow('a run cannot go from starting to training');
    run.to('ready');
    run.go();
    run.to('halting');
    expect(() => run.to('recovering')).toThrow('a run cannot go from halting to recovering');
  });

  it('a pause before training, or during a restart, holds the generation that trains next', () => {
    const { run } = lifecycle();
    run.pause();
    expect(run.state).toBe('starting');
    run.to('ready');
    run.go();
    expect(run.state).toBe('paused');
    run.to('recovering');
    run.to('starting');
    run.to('ready');
    run.go();
    expect([run.state, run.held]).toEqual(['paused', true]);
  });

  it('ends once: the first record is emitted and settles finished, the members close once', async () => {
    const { run, emitted, closed } = lifecycle();
    run.end(stopped('first'));
    run.end(stopped('second'));
    expect(emitted).toEqual([stopped('first')]);
    expect(closed()).toBe(1);
    expect(await run.finished).toEqual(stopped('first'));
  });
});
