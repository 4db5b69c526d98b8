// The run skeleton every mode shares, driven through the member seam with scripted members (no GPU): a
// failure before all are ready ends the run naming the member, a later one restarts every rank from the
// mode's restart point (held if the run was paused, the old generation no longer heard), and the fourth
// stops the run.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config';
import type { MetricRecord } from '../core/metrics';
import type { MemberReport } from './member-generations';
import type { MemberHost } from './members';
import { Run } from './run';
import { ScriptedMember } from './scripted-member';

const config = { ...DEFAULT_CONFIG, replicas: 2 };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function scriptedRun() {
  const members: ScriptedMember[] = [];
  const host: MemberHost = {
    spawn: (rank) => members[members.push(new ScriptedMember(rank)) - 1],
    channel: () => new MessageChannel(),
    readAsset: async () => new Uint8Array(),
  };
  const records: MetricRecord[] = [];
  const heard: MemberReport[] = [];
  const run = new Run<{ step: number }, { step: number; rank: number }>({ config, env: host, emit: (r) => records.push(r) }, 2, 0, 0);
  await run.start({
    inits: () => [0, 1].map((rank) => ({ type: 'init', config, rank, world: 2, initialParams: new Float32Array(1) })),
    message: (m) => heard.push(m),
    restartPoint: async () => ({ step: 7 }),
  }, { step: 0 }, Promise.resolve(100));
  const handle = run.handle({ snapshot: async () => null, state: async () => null, finalParams: () => null });
  const generation = (g: number) => members.slice(2 * g, 2 * g + 2);
  const ready = (g: number) => generation(g).forEach((m) => m.say({ type: 'ready', rank: m.rank, adapter: 'scripted' }));
  return { run, handle, records, heard, generation, ready };
}

describe('run skeleton through the member seam', () => {
  it('a member that fails before its generation is ready ends the run naming it, and nothing restarts', async () => {
    const { handle, generation } = await scriptedRun();
    generation(0)[1].say({ type: 'error', rank: 1, message: 'no adapter' });
    expect(await handle.finished).toEqual({
      type: 'stopped', step: 0, reason: 'error', message: 'replica 1 could not start, so the run did not start: no adapter',
    });
    expect(generation(0).every((m) => m.terminated)).toBe(true);
    expect(generation(1)).toHaveLength(0);
  });

  it('a member that crashes while paused: every rank restarts from the restart point, held, and the old generation is no longer heard', async () => {
    const { run, handle, records, heard, generation, ready } = await scriptedRun();
    ready(0);
    expect(generation(0).map((m) => m.sent)).toEqual([['init', 'go'], ['init', 'go']]);
    handle.pause();
    generation(0)[0].die('gone');
    await settle();
    expect(records).toEqual([{ type: 'fault', step: 0, rank: 0, message: 'replica 0 crashed: gone', restartedFrom: 7 }]);
    expect(generation(0).every((m) => m.terminated)).toBe(true);
    expect(generation(1).map((m) => m.sent)).toEqual([['init', 'pause'], ['init', 'pause']]);
    generation(0)[1].say({ type: 'metric', rank: 1, record: { type: 'eval', epoch: 1, step: 8, testLoss: 1, testAccuracy: 0.5 } });
    generation(1)[1].say({ type: 'metric', rank: 1, record: { type: 'eval', epoch: 1, step: 9, testLoss: 1, testAccuracy: 0.5 } });
    expect(heard.map((m) => (m.type === 'metric' && m.record.type === 'eval' ? m.record.step : null))).toEqual([9]);
    ready(1);
    expect(run.lifecycle.state).toBe('paused');
    handle.stop();
    expect(await handle.finished).toEqual({ type: 'stopped', step: 7, reason: 'user', message: 'stopped at step 7' });
  });

  it('the fourth failure stops the run: three restarts are the budget', async () => {
    const { handle, generation, ready } = await scriptedRun();
    for (let g = 0; g < 4; g++) {
      ready(g);
      generation(g)[1].say({ type: 'error', rank: 1, message: 'device lost' });
      await settle();
    }
    expect(generation(4)).toHaveLength(0);
    expect(await handle.finished).toMatchObject({ type: 'stopped', reason: 'error', message: expect.stringMatching(/^replica 1 failed: device lost \(after 3 restarts\)/) });
  });
});
