// Members with several workers, on loopback and Dawn: members in this process (each worker its own device) join
// the class offering 2 and 1 workers and train the spiral run with a teacher in this process as one world of
// 3, the ring link between one member's two workers joined on that member; ring and star match one device with
// the same global batch. A member with two workers leaving mid-run is one membership change, and the run ends.
// The server refuses a join offering a number of workers a member may not have.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import type { DoneRecord, MembershipRecord, MetricRecord, ShardRecord, StepRecord } from '../core/metrics';
import { relativeError } from '../gpu/testing';
import { startDataParallel } from '../parallel/data-coordinator';
import { localReplica, readAsset, trainOneDevice } from '../parallel/testing';
import { serveClass } from './member-client';
import type { Roster } from './protocol';
import { classMemberHost } from './remote-members';
import type { ClassServer } from './server';
import { connect, openSession, testServer } from './testing';

/** 800 spiral points in global batches of 30, the 20 left over dropped: 26 steps. */
const CONFIG: RunConfig = {
  ...DEFAULT_CONFIG, dataset: 'spiral', layers: [8], lr: 0.01, batch: 30, epochs: 1, seed: 5, droplast: 1, replicas: 3,
};
const STEPS = 26;

/** A session whose members offer `offers` workers (by name), joined and heard by the teacher. */
async function classOf(offers: Record<string, number>) {
  const session = await openSession(server);
  const members = [];
  for (const [name, workers] of Object.entries(offers)) {
    const { connection } = await connect(server, { t: 'join', session: session.session, key: session.joinKey, name, workers });
    const lines: string[] = [];
    members.push({ connection, lines, served: serveClass(connection, { spawn: () => localReplica() }, (line) => lines.push(line)) });
  }
  const roster: Roster[] = [];
  while (roster.length < members.length) {
    const news = await session.heard.newsItem();
    if (news.t === 'member') roster.push({ id: news.id, name: news.name, workers: news.workers });
  }
  return { session, members, host: classMemberHost(session.connection, roster, readAsset) };
}

const ofType = <T extends MetricRecord['type']>(records: MetricRecord[], type: T) =>
  records.filter((r): r is Extract<MetricRecord, { type: T }> => r.type === type);

let server: ClassServer;
let one: Awaited<ReturnType<typeof trainOneDevice>>;
beforeAll(async () => {
  server = await testServer();
  one = await trainOneDevice({ ...CONFIG, replicas: 1 });
});
afterAll(() => server.close());

describe('a member with several workers', () => {
  it('a join offering no whole number of workers from 1 to 4 is refused, naming the field', async () => {
    const session = await openSession(server);
    for (const workers of [0, 5, 1.5]) {
      await expect(connect(server, { t: 'join', session: session.session, key: session.joinKey, name: 'eve', workers }), String(workers))
        .rejects.toThrow('protocol error: workers: give a whole number of 1 to 4');
    }
    session.connection.closeSession();
  });

  it('members offering 2 + 1 workers train like one device with the same global batch, ring and star', async () => {
    const { session, members, host } = await classOf({ ada: 2, bo: 1 });
    expect(host.membership!.names()).toEqual(['ada', 'ada · 2', 'bo']);
    const reference = ofType(one.records, 'step');
    for (const allreduce of ['ring', 'star'] as const) {
      const records: MetricRecord[] = [];
      const run = await startDataParallel({ config: { ...CONFIG, allreduce }, env: host, emit: (r) => records.push(r), heartbeatMs: 10_000 });
      const last = await run.finished;
      expect(last.type, JSON.stringify(last)).toBe('done');
      const steps = ofType(records, 'step');
      expect(steps, allreduce).toHaveLength(STEPS);
      steps.forEach((s: StepRecord, i) => {
        expect(s.replicaLoss, `${allreduce}, step ${s.step}`).toHaveLength(3);
        expect(Math.abs(s.loss - reference[i].loss) / reference[i].loss, `${allreduce}, step ${s.step}`).toBeLessThan(1e-5);
      });
      expect(relativeError(run.finalParams()!, one.params), allreduce).toBeLessThan(1e-5);
    }
    // Ada's two workers are ring neighbours, a link the server could not carry (it relays nothing from a member
    // to itself): joined on Ada, nothing of it was dropped.
    expect(members[0].lines.filter((l) => l.startsWith('dropped'))).toEqual([]);
    session.connection.closeSession();
    expect(await Promise.all(members.map((m) => m.served))).toEqual(['the teacher ended the session', 'the teacher ended the session']);
  });

  it('a member with two workers leaving mid-run is one membership change; the others finish', async () => {
    const { session, members, host } = await classOf({ ada: 2, bo: 1 });
    const records: MetricRecord[] = [];
    const run = await startDataParallel({
      config: CONFIG, env: host, heartbeatMs: 10_000,
      emit: (r) => {
        records.push(r);
        if (r.type === 'step' && r.step === 8) members[0].connection.disconnect();
      },
    });
    const last = await run.finished;
    expect(last.type, JSON.stringify(last)).toBe('done');
    expect((last as DoneRecord).membershipChanges).toBe(1);
    const changes = ofType(records, 'membership');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ change: 'left', name: 'ada', rank: 0, world: 1 } satisfies Partial<MembershipRecord>);
    const steps = ofType(records, 'step');
    expect(steps.at(-1)!.step).toBe(STEPS);
    ofType(records, 'shard').forEach((s: ShardRecord) => expect(s.ids, `step ${s.step}`).toHaveLength(s.step <= changes[0].step ? 3 : 1));
    expect(run.finalParams()!.every(Number.isFinite)).toBe(true);
    // The same global batches on one worker: still one device's numbers.
    expect(relativeError(run.finalParams()!, one.params)).toBeLessThan(1e-5);
    session.connection.closeSession();
    await Promise.all(members.map((m) => m.served));
  });
});
