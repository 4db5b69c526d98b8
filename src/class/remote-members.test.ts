// The class as a members' host, without a GPU: members that echo stand in for replicas. Rank k is the k-th
// member that joined; inits, vectors and ring links travel over the class server bit for bit (links go
// member to member); terminate reaches the member; a new generation never hears the last one; a member
// that leaves or speaks for another rank crashes its instance, and the malformed one (another rank's, or
// no instance's) is removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, MemberHost } from '../parallel/members';
import { ranks, ring } from '../parallel/links';
import { serveClass } from './member-client';
import { classMemberHost } from './remote-members';
import type { Roster } from './protocol';
import type { ClassServer } from './server';
import { connect, openSession, testServer } from './testing';

let server: ClassServer;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server.close());

/**
 * A member machine whose "replicas" answer init with ready, send a ring message to the right on go and
 * report what arrives from the left, and echo anything else.
 */
function echoMachine() {
  const terminated: number[] = [];
  const host: Pick<MemberHost, 'spawn'> = {
    spawn(rank): Member {
      let listener: (e: MessageEvent) => void = () => {};
      let right: MessagePort | undefined;
      const reply = (data: unknown) => setTimeout(() => listener({ data } as MessageEvent));
      return {
        postMessage(message: unknown) {
          const m = message as { type: string; left?: MessagePort; right?: MessagePort };
          if (m.type === 'init') {
            right = m.right;
            m.left?.addEventListener('message', (e: MessageEvent) => reply({ type: 'metric', rank, record: e.data }));
            m.left?.start();
            reply({ type: 'ready', rank, adapter: 'echo' });
          } else if (m.type === 'go') {
            right?.postMessage({ type: 'ring', from: rank, data: Float64Array.of(rank, -0, NaN) });
          } else reply({ type: 'echo', rank, of: m });
        },
        addEventListener: (_type, l) => { listener = l; },
        terminate: () => terminated.push(rank),
        onCrash: () => {},
      };
    },
  };
  return { host, terminated };
}

/** What the echo replicas say, as far as the test reads it. */
interface Said {
  type: string;
  record: { from: number; data: Float64Array };
  of: { data: Float32Array };
}

/** Waits until `check` holds, re-checking after each macrotask. */
async function until<T>(check: () => T | undefined | false): Promise<T> {
  for (;;) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('class members host', () => {
  it('runs generations on the joined members, relays inits, vectors and ring links bit for bit, and ends them', async () => {
    const teacher = await openSession(server);
    const machines = [echoMachine(), echoMachine(), echoMachine()];
    const members = [];
    for (const [k, m] of machines.entries()) {
      const c = await connect(server, teacher.join(`m${k}`));
      members.push({ ...c, served: serveClass(c.connection, m.host) });
    }
    const roster: Roster[] = [];
    for (let k = 0; k < 3; k++) {
      const n = await teacher.heard.newsItem();
      if (n.t === 'member') roster.push({ id: n.id, name: n.name });
    }
    // The host takes over the teacher's connection from the test's listener.
    const host = classMemberHost(teacher.connection, roster, async () => new Uint8Array());

    const generation = () => {
      const links = ring(host, ranks(3));
      const heard: Said[][] = [[], [], []];
      const crashes: string[] = [];
      const spawned = [0, 1, 2].map((rank) => {
        const member = host.spawn(rank);
        member.addEventListener('message', (e) => heard[rank].push(e.data as Said));
        member.onCrash((message, removed) => crashes.push(removed ? `removed: ${message}` : message));
        return member;
      });
      spawned.forEach((m, rank) => m.postMessage({ type: 'init', rank, world: 3, initialParams: Float32Array.of(rank), left: links[rank].left, right: links[rank].right }));
      return { spawned, heard, crashes };
    };

    const first = generation();
    await until(() => first.heard.every((h) => h.some((m) => m.type === 'ready')));
    first.spawned.forEach((m) => m.postMessage({ type: 'go' }));
    const rings = await until(() => first.heard.every((h) => h.some((m) => m.type === 'metric')) && first.heard.map((h) => h.find((m) => m.type === 'metric')!));
    rings.forEach((m, rank) => {
      expect(m.record.from, `rank ${rank} hears its left neighbour`).toBe((rank + 2) % 3);
      const { data } = m.record;
      expect(data).toBeInstanceOf(Float64Array);
      expect(Object.is(data[1], -0) && Number.isNaN(data[2]) && data[0] === (rank + 2) % 3).toBe(true);
    });
    const grad = new Float32Array([1e-40, -0, NaN]);
    new Uint32Array(grad.buffer)[2] = 0x7fb00001;
    first.spawned[1].postMessage({ type: 'star', round: 0, data: grad });
    const echo = await until(() => first.heard[1].find((m) => m.type === 'echo'));
    expect([...new Uint8Array(echo.of.data.buffer)]).toEqual([...new Uint8Array(grad.buffer)]);
    first.spawned.forEach((m) => m.terminate());
    await until(() => machines.every((m) => m.terminated.length === 1));

    // A second generation runs on the same members; the first's members hear nothing more.
    const second = generation();
    await until(() => second.heard.every((h) => h.some((m) => m.type === 'ready')));
    const firstHeard = first.heard.map((h) => h.length);
    second.spawned[0].postMessage({ type: 'ping' });
    await until(() => second.heard[0].some((m) => m.type === 'echo'));
    expect(first.heard.map((h) => h.length)).toEqual(firstHeard);

    // Member 2 speaks for another rank: its host takes it out, saying why, and the server lets it go.
    members[2].connection.send('teacher', { k: 'msg', inst: 6, m: { type: 'ready', rank: 0, adapter: 'x' } });
    await until(() => second.crashes.length > 0);
    expect(second.crashes).toEqual(['removed: sent a malformed message (it speaks for rank 0, not its own 2)']);
    expect(await members[2].served).toBe('the teacher removed you from the class: sent a malformed message (it speaks for rank 0, not its own 2)');
    // Member 1 leaves: its instance crashes, and a later generation cannot start on it.
    members[1].connection.disconnect();
    await until(() => second.crashes.length > 1);
    expect(second.crashes[1]).toBe('m1 left the class (disconnected)');
    const late: string[] = [];
    host.spawn(1).onCrash((m) => late.push(m));
    await until(() => late.length > 0);
    expect(late).toEqual(['m1 is no longer in the class']);

    await host.shutdown();
    expect(await members[0].served).toBe('the teacher ended the session');
    expect(machines[0].terminated).toEqual([0, 0]);
  });

  it('a member whose message names no instance is removed, named, rather than ignored', async () => {
    const teacher = await openSession(server);
    const member = await connect(server, teacher.join('m'));
    const served = serveClass(member.connection, echoMachine().host);
    const news = await teacher.heard.newsItem();
    const host = classMemberHost(teacher.connection, [{ id: news.t === 'member' ? news.id : -1, name: 'm' }], async () => new Uint8Array());
    const crashes: string[] = [];
    host.spawn(0).onCrash((message, removed) => crashes.push(removed ? `removed: ${message}` : message));
    member.connection.send('teacher', { k: 'msg', m: { type: 'ready', rank: 0, adapter: 'x' } });
    const why = 'sent a malformed message (its msg names no instance: inst is null)';
    await until(() => crashes.length > 0);
    expect(crashes).toEqual([`removed: ${why}`]);
    expect(await served).toBe(`the teacher removed you from the class: ${why}`);
    await host.shutdown();
  });

  it('when the class server goes away, every member of the run crashes, and a new generation cannot start', async () => {
    const own = await testServer();
    const teacher = await openSession(own);
    const member = await connect(own, teacher.join('m'));
    const served = serveClass(member.connection, echoMachine().host);
    const news = await teacher.heard.newsItem();
    const host = classMemberHost(teacher.connection, [{ id: 1, name: news.t === 'member' ? news.name : '?' }], async () => new Uint8Array());
    const crashes: string[] = [];
    host.spawn(0).onCrash((m) => crashes.push(m));
    await own.close();
    expect(await served).toBe('the class server stopped');
    await until(() => crashes.length > 0);
    expect(crashes[0]).toBe('the class server connection ended: the class server stopped');
    const late: string[] = [];
    host.spawn(0).onCrash((m) => late.push(m));
    await until(() => late.length > 0);
    expect(late[0]).toBe(crashes[0]);
  });
});
