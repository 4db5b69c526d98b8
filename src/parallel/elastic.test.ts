// Elastic membership through the member seam with scripted members (no GPU): with a host that has a
// membership, a member lost in training or while its generation starts is dropped and the others go on as
// a smaller world; a joiner holds the members at a step boundary and enters as a larger one; each change is
// a membership record; the last member gone stops the run, saying so.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config';
import type { MembershipRecord, MetricRecord } from '../core/metrics';
import type { MemberHost, Membership } from './members';
import { Run } from './run';
import { ScriptedMember } from './scripted-member';

const config = { ...DEFAULT_CONFIG, replicas: 3 };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A class of `names` with a membership, a run on it whose restart point is step 7, and each generation's worlds. */
async function elasticRun(names: string[]) {
  const roster = [...names];
  const waiting: string[] = [];
  const dropped: string[] = [];
  let joined = () => {};
  const membership: Membership = {
    names: () => roster,
    waiting: () => waiting.length,
    admit: (count) => {
      const entering = waiting.splice(0, count);
      roster.push(...entering);
      return entering;
    },
    drop: (rank, why) => { dropped.push(`${roster.splice(rank, 1)[0]}: ${why}`); },
    onJoin: (listener) => { joined = listener; },
  };
  const generations: ScriptedMember[][] = [];
  const host: MemberHost = {
    spawn: (rank) => {
      if (rank === 0) generations.push([]);
      return generations.at(-1)![generations.at(-1)!.push(new ScriptedMember(rank, roster[rank])) - 1];
    },
    channel: () => new MessageChannel(),
    readAsset: async () => new Uint8Array(),
    membership,
  };
  const records: MetricRecord[] = [];
  const worlds: number[] = [];
  const restarts: (number | null)[][] = [];
  const run = new Run<{ step: number }, { step: number; rank: number }>({ config, env: host, emit: (r) => records.push(r) }, names.length, 0, 0);
  await run.start({
    inits: (_from, world) => {
      worlds.push(world);
      return Array.from({ length: world }, (_, rank) => ({ type: 'init', config, rank, world, initialParams: new Float32Array(1) }));
    },
    message: () => {},
    restartPoint: async (_lost, kept) => {
      restarts.push(kept);
      return { step: 7 };
    },
    fits: (world) => world <= 4,
  }, { step: 0 }, Promise.resolve(100));
  const handle = run.handle({ snapshot: async () => null, state: async () => null, finalParams: () => null });
  const ready = (g: number) => generations[g].forEach((m) => m.say({ type: 'ready', rank: m.rank, adapter: 'scripted' }));
  const join = (name: string) => {
    waiting.push(name);
    joined();
  };
  const membershipRecords = () => records.filter((r): r is MembershipRecord => r.type === 'membership');
  return { run, handle, generations, ready, join, worlds, restarts, dropped, membershipRecords };
}

describe('elastic membership through the member seam', () => {
  it('a member lost in training is dropped; the others go on as a smaller world from the restart point', async () => {
    const { run, generations, ready, worlds, restarts, dropped, membershipRecords } = await elasticRun(['ada', 'bo', 'cy']);
    ready(0);
    generations[0][1].die('the tab closed');
    await settle();
    expect(restarts).toEqual([[0, 2]]);
    expect(dropped).toEqual(['bo: crashed: the tab closed']);
    expect(generations[0].every((m) => m.terminated)).toBe(true);
    expect(worlds).toEqual([3, 2]);
    expect(generations[1].map((m) => m.name)).toEqual(['ada', 'cy']);
    expect(membershipRecords()).toEqual([expect.objectContaining({ step: 7, change: 'left', name: 'bo', rank: 1, reason: 'crashed: the tab closed', world: 2 })]);
    expect(membershipRecords()[0].message).toContain('not claimed to train exactly like one device');
    ready(1);
    expect(run.lifecycle.state).toBe('training');
    expect(run.membershipChanges).toBe(1);
  });

  it('a member that fails while its generation starts is dropped too, instead of ending the run', async () => {
    const { generations, ready, worlds, membershipRecords, run } = await elasticRun(['ada', 'bo', 'cy']);
    generations[0][2].say({ type: 'error', rank: 2, message: 'no WebGPU adapter' });
    await settle();
    expect(worlds).toEqual([3, 2]);
    expect(membershipRecords()).toEqual([expect.objectContaining({ change: 'left', name: 'cy', reason: 'failed: no WebGPU adapter', world: 2 })]);
    ready(1);
    expect(run.lifecycle.state).toBe('training');
  });

  it('a joiner holds the members at a step boundary and enters as a larger world; one that joins while a generation starts comes in once it trains', async () => {
    const { generations, ready, join, worlds, restarts, membershipRecords } = await elasticRun(['ada', 'bo']);
    join('early');
    await settle();
    expect(worlds).toEqual([2]);
    ready(0);
    await settle();
    expect(generations[0].map((m) => m.sent)).toEqual([['init', 'go', 'pause'], ['init', 'go', 'pause']]);
    expect(restarts).toEqual([[0, 1, null]]);
    expect(worlds).toEqual([2, 3]);
    expect(generations[1].map((m) => m.name)).toEqual(['ada', 'bo', 'early']);
    ready(1);
    join('late');
    await settle();
    expect(worlds).toEqual([2, 3, 4]);
    // The run fits at most 4: a fifth waits.
    ready(2);
    join('fifth');
    await settle();
    expect(worlds).toEqual([2, 3, 4]);
    expect(membershipRecords().map((r) => [r.change, r.name, r.rank, r.world])).toEqual([['joined', 'early', 2, 3], ['joined', 'late', 3, 4]]);
  });

  it('the last member gone stops the run, naming it', async () => {
    const { generations, ready, handle } = await elasticRun(['ada', 'bo']);
    ready(0);
    generations[0][0].die('gone');
    await settle();
    ready(1);
    generations[1][0].die('asleep');
    expect(await handle.finished).toEqual({
      type: 'stopped', step: 7, reason: 'error', message: 'bo left (crashed: asleep), and no member is left to go on',
    });
  });
});
