// A class on loopback, on Dawn: three Node members (each its own process and device, joined with the CLI's
// --join) train the spiral run with a teacher in this process, ring and then star, and match one device
// with the same global batch at every step and in the final weights; the CLI's --teach does the same with
// two members; a member with a wrong token is refused with the server's message.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import type { DoneRecord, MetricRecord, StepRecord, WorkersRecord } from '../core/metrics';
import { relativeError } from '../gpu/testing';
import { startDataParallel } from '../parallel/data-coordinator';
import { readAsset, trainOneDevice } from '../parallel/testing';
import type { Roster } from './protocol';
import { classMemberHost } from './remote-members';
import type { ClassServer } from './server';
import { sessionLink } from './session-link';
import { openSession, testServer } from './testing';

/** 800 spiral points in global batches of 30, the 20 left over dropped: 26 steps. */
const CONFIG: RunConfig = {
  ...DEFAULT_CONFIG, dataset: 'spiral', layers: [8], lr: 0.01, batch: 30, epochs: 1, seed: 5, droplast: 1,
};
const STEPS = 26;
/**
 * Most a member's step report and traffic report (JSON: this config's ids, its times, two peers' links) and a
 * vector's JSON take: about 750 B measured, far below the vector's 1 KiB.
 */
const REPORTS_BYTES = 1200;
const TRAIN = ['--import', 'tsx', '--import', './src/cli/register-wgsl.js', 'src/cli/train.ts'];

/** `npm run train -- args`, its output gathered, and its exit. */
function cli(...args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [...TRAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c) => { out.stdout += c; });
  child.stderr!.on('data', (c) => { out.stderr += c; });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exit };
}

const stepLosses = (records: MetricRecord[]) => records.filter((r): r is StepRecord => r.type === 'step').map((r) => r.loss);

function expectLikeOneDevice(losses: number[], reference: number[], what: string): void {
  expect(losses, what).toHaveLength(STEPS);
  losses.forEach((loss, i) => expect(Math.abs(loss - reference[i]) / reference[i], `${what}: step ${i + 1} of ${STEPS}`).toBeLessThan(1e-5));
}

/**
 * Node members have no WebRTC: every link is relayed. Ring: what each rank received from its left neighbour
 * is the ring's 2K(N−1)/N a step plus each message's JSON; star: each member sends and receives its K with the
 * teacher a step, beside its reports. A step's figures are what had arrived when its report left (a neighbour
 * already on the next step may have sent its first message), so the run's totals are what is checked exactly.
 * A member's own messages to the teacher fall in their step, so each step after the first (which carries the
 * run's start, and rank 0's final weights of the run before) is checked too: on the ring no vector goes to
 * the teacher, with star exactly one, beside its step report and traffic report (under REPORTS_BYTES), so a
 * second vector or a state handed back every step would show. Printed for the record.
 */
function expectTrafficOfTheRing(workers: WorkersRecord[], allreduce: 'ring' | 'star'): void {
  expect(workers).toHaveLength(STEPS);
  const theory = workers.reduce((s, w) => s + w.theoryBytes, 0);
  for (let rank = 0; rank < 3; rank++) {
    const traffic = workers.map((w) => w.traffic![rank]);
    const fromLeft = traffic.map((t) => t.peers.find((p) => p.rank === (rank + 2) % 3));
    const total = (counts: (number | undefined)[]) => counts.reduce((s: number, c) => s + (c ?? 0), 0);
    if (allreduce === 'ring') {
      expect(fromLeft.every((p) => p?.via === 'relay'), `rank ${rank}: relayed`).toBe(true);
      const received = total(fromLeft.map((p) => p!.received));
      expect(received, `rank ${rank}: from its left over the run`).toBeGreaterThan(theory);
      // Four messages a step, each with less than 100 characters of JSON.
      expect(received).toBeLessThan(theory + STEPS * 4 * 100);
      traffic.slice(1).forEach((t, i) => expect(t.teacher.sent, `rank ${rank}, step ${i + 2}: to the teacher, reports only`).toBeLessThan(REPORTS_BYTES));
    } else {
      expect(total(fromLeft.map((p) => p?.received)), 'star: nothing between members').toBe(0);
      expect(total(traffic.map((t) => t.teacher.received)), `rank ${rank}: from the teacher`).toBeGreaterThan(theory);
      expect(total(traffic.map((t) => t.teacher.sent)), `rank ${rank}: to the teacher`).toBeGreaterThan(theory);
      // Star's theoryBytes is K, the float32 vector.
      traffic.slice(1).forEach((t, i) => {
        expect(t.teacher.sent, `rank ${rank}, step ${i + 2}: to the teacher, one vector`).toBeGreaterThan(workers[0].theoryBytes);
        expect(t.teacher.sent, `rank ${rank}, step ${i + 2}: to the teacher, one vector and reports`).toBeLessThan(workers[0].theoryBytes + REPORTS_BYTES);
        expect(t.teacher.received, `rank ${rank}, step ${i + 2}: from the teacher, one sum`).toBeLessThan(workers[0].theoryBytes + REPORTS_BYTES);
      });
    }
  }
  const last = workers.at(-1)!;
  console.log(`${allreduce}, step ${last.step}: theory ${last.theoryBytes} B; ${last.traffic!.map((t, rank) =>
    `rank ${rank}: teacher ${t.teacher.sent}/${t.teacher.received} B sent/received, ${t.peers.map((p) => `rank ${p.rank} ${p.via} ${p.sent}/${p.received} B`).join(', ')}`).join('; ')}`);
}

let server: ClassServer;
let one: Awaited<ReturnType<typeof trainOneDevice>>;
beforeAll(async () => {
  server = await testServer();
  one = await trainOneDevice(CONFIG);
});
afterAll(() => server.close());

describe('a class of Node members', () => {
  it('three members train like one device with the same global batch, step by step and in the final weights, ring and star', async () => {
    expect(stepLosses(one.records)).toHaveLength(STEPS);
    const teacher = await openSession(server);
    const link = sessionLink('join', server.url, teacher.session, teacher.joinKey);
    const members = [0, 1, 2].map((k) => cli('--join', link, '--name', `member ${k}`));
    const roster: Roster[] = [];
    while (roster.length < 3) {
      const news = await teacher.heard.newsItem();
      if (news.t === 'member') roster.push({ id: news.id, name: news.name });
    }
    const host = classMemberHost(teacher.connection, roster, readAsset);
    const shas: string[] = [];
    for (const allreduce of ['ring', 'star'] as const) {
      const records: MetricRecord[] = [];
      // A loaded test machine may hold a member's thread for seconds: its silence counts only after 30 s.
      const run = await startDataParallel({ config: { ...CONFIG, replicas: 3, allreduce }, env: host, emit: (r) => records.push(r), heartbeatMs: 10_000 });
      const last = await run.finished;
      const logs = members.map((m) => m.out.stderr).join('\n');
      expect(last.type, `${JSON.stringify(last)}\n${logs}`).toBe('done');
      expectLikeOneDevice(stepLosses(records), stepLosses(one.records), allreduce);
      expect(relativeError(run.finalParams()!, one.params), allreduce).toBeLessThan(1e-5);
      const steps = records.filter((r): r is StepRecord => r.type === 'step');
      expect(steps.every((s) => s.replicaLoss?.length === 3)).toBe(true);
      expectTrafficOfTheRing(records.filter((r): r is WorkersRecord => r.type === 'workers'), allreduce);
      shas.push((last as DoneRecord).weightsSha256);
    }
    // Float64 partial sums: the ring's sum is star's rank-ordered sum, bit for bit.
    expect(shas[0]).toBe(shas[1]);
    await host.shutdown();
    expect(await Promise.all(members.map((m) => m.exit))).toEqual([0, 0, 0]);
    members.forEach((m) => expect(m.out.stderr).toContain('the class ended: the teacher ended the session'));
  });

  it('the CLI teacher (--teach) prints the join link, waits for two members and prints the run\'s records', async () => {
    const teacher = cli('--teach', server.url, '--members', '2', '--set', 'dataset=spiral', '--set', 'layers=8', '--set', 'lr=0.01', '--set', 'batch=30',
      '--set', 'epochs=1', '--set', 'seed=5', '--set', 'droplast=1', '--json');
    let link: string | undefined;
    while (!link) {
      await new Promise((r) => setTimeout(r, 100));
      link = /join: (\S+)/.exec(teacher.out.stderr)?.[1];
    }
    const members = ['gpu-box', 'laptop'].map((name) => cli('--join', link!, '--name', name));
    expect(await teacher.exit, teacher.out.stderr).toBe(0);
    const records = teacher.out.stdout.trim().split('\n').map((line) => JSON.parse(line) as MetricRecord);
    expectLikeOneDevice(stepLosses(records), stepLosses(one.records), '--teach');
    expect(records.at(-1)!.type).toBe('done');
    expect(teacher.out.stderr).toMatch(/2 of 2 members: (gpu-box, laptop|laptop, gpu-box)/);
    expect(await Promise.all(members.map((m) => m.exit))).toEqual([0, 0]);
  });

  it('a member with a wrong token is refused with the server\'s message', async () => {
    const teacher = await openSession(server);
    const member = cli('--join', sessionLink('join', server.url, teacher.session, 'A'.repeat(32)), '--name', 'eve');
    expect(await member.exit).toBe(2);
    expect(member.out.stderr).toContain('error: wrong join token for this session: ask the teacher for the join link');
    teacher.connection.closeSession();
  });
});
