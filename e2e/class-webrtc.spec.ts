// Members' links over WebRTC in Chromium: two members, each in its own Chromium process, serve a class
// with serveClass and link to each other over a data channel, the class server carrying only the
// signalling. A teacher in this process runs ring all-reduces of 8 MB (float64) between them, bigger than
// any data channel message, for a few rounds: the sums are right, both links go direct, nothing goes
// through the relay, and each round's bytes per link are the ring's 2K(N−1)/N plus the framing. A browser
// member and a Node member (no WebRTC) link through the relay at once, with the same sums.
// The pages load the lab's modules from a Vite dev server of this spec's own (port 4282), which passes
// the session service through to the class server (port 4283), so the pages and the service share an origin.
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import config from '../playwright.config';
import type { MemberStepTraffic } from '../src/core/metrics';
import { ranks, ring } from '../src/parallel/links';
import { serveClass } from '../src/class/member-client';
import { classMemberHost, type ClassMemberHost } from '../src/class/remote-members';
import { startClassServer, type ClassServer } from '../src/class/server';
import { connect, openSession } from '../src/class/testing';
import type { Roster } from '../src/class/protocol';
import type { Member } from '../src/parallel/members';
import { ringAllreduce, ringLinks } from '../src/parallel/allreduce';

const VITE_PORT = 4282;
const CLASS_PORT = 4283;
const PAGES = `http://127.0.0.1:${VITE_PORT}/`;
/** 1M floats: each ring message is half of the float64 vector, 4 MB, cut into data channel pieces. */
const FLOATS = 1 << 20;
const ROUNDS = 3;
const WORLD = 2;

let vite: ViteDevServer;
let server: ClassServer;
const browsers: Browser[] = [];
const pages: Page[] = [];

test.beforeAll(async () => {
  server = await startClassServer({ root: mkdtempSync(join(tmpdir(), 'class-webrtc-')), host: '127.0.0.1', port: CLASS_PORT });
  vite = await createServer({
    configFile: false,
    root: process.cwd(),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: VITE_PORT, strictPort: true, hmr: false, proxy: { '/class': { target: `ws://127.0.0.1:${CLASS_PORT}`, ws: true } } },
    plugins: [{
      name: 'blank-page',
      configureServer(s) {
        s.middlewares.use('/blank', (_req, res) => res.end('<!doctype html><title>member</title>'));
      },
    }],
  });
  await vite.listen();
  for (let i = 0; i < WORLD; i++) {
    const browser = await chromium.launch(config.use?.launchOptions);
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(`${PAGES}blank`);
    pages.push(page);
  }
});

test.afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await vite?.close();
  await server?.close();
});

/** What a member page's ring replica reports after each round. */
interface RoundReport {
  type: 'report';
  rank: number;
  round: number;
  head: number[];
  total: number;
  traffic?: MemberStepTraffic;
}

/** Member k's vector: the same on both sides of the test. */
const element = (rank: number, i: number) => Math.fround(((rank + 1) * ((i % 1000) - 500)) / 7);

/**
 * Joins the class in `page` and serves it there: each init runs ROUNDS ring all-reduces over the init's
 * links, reporting each round's sum (its head and total) to the teacher.
 */
async function joinInPage(page: Page, hello: object): Promise<number> {
  return page.evaluate(async ({ server, hello, floats, rounds }) => {
    const { connectBrowser } = await import('/src/class/browser-connect.ts' as string);
    const { serveClass } = await import('/src/class/member-client.ts' as string);
    const { ringAllreduce, ringLinks } = await import('/src/parallel/allreduce.ts' as string);
    const { connection, welcome } = await connectBrowser(server, hello);
    const w = window as unknown as { logs: string[]; served: Promise<string> };
    w.logs = [];
    const host = {
      spawn(rank: number) {
        let listener: (e: { data: unknown }) => void = () => {};
        return {
          async postMessage(m: { type: string; world: number; left: MessagePort; right: MessagePort }) {
            if (m.type !== 'init') return;
            const links = ringLinks(rank, m.world, m.left, m.right);
            for (let round = 0; round < rounds; round++) {
              const data = Float32Array.from({ length: floats }, (_, i) => ((rank + 1) * ((i % 1000) - 500)) / 7);
              const { sum } = await ringAllreduce(data, round, links);
              listener({ data: { type: 'report', rank, round, head: [...sum.subarray(0, 8)], total: sum.reduce((s: number, v: number) => s + v, 0) } });
            }
          },
          addEventListener: (_type: string, l: (e: { data: unknown }) => void) => { listener = l; },
          terminate: () => {},
          onCrash: () => {},
        };
      },
    };
    // A loaded test machine may take a while to gather candidates: give the channel long enough.
    w.served = serveClass(connection, host, (line: string) => w.logs.push(line), { self: welcome.id, ice: [], connectMs: 60_000 });
    return welcome.id as number;
  }, { server: PAGES, hello, floats: FLOATS, rounds: ROUNDS });
}

/** A Node member's replicas: the same rounds as the pages', on worker_threads' MessagePorts. */
function nodeRingHost() {
  return {
    spawn(rank: number): Member {
      let listener: (e: MessageEvent) => void = () => {};
      return {
        async postMessage(message: unknown) {
          const m = message as { type: string; world: number; left: MessagePort; right: MessagePort };
          if (m.type !== 'init') return;
          const links = ringLinks(rank, m.world, m.left, m.right);
          for (let round = 0; round < ROUNDS; round++) {
            const data = Float32Array.from({ length: FLOATS }, (_, i) => element(rank, i));
            const { sum } = await ringAllreduce(data, round, links);
            listener({ data: { type: 'report', rank, round, head: [...sum.subarray(0, 8)], total: sum.reduce((s, v) => s + v, 0) } } as MessageEvent);
          }
        },
        addEventListener: (_type, l) => { listener = l; },
        terminate: () => {},
        onCrash: () => {},
      };
    },
  };
}

/** The teacher's side: waits for the class's WORLD members, runs one ring generation on them, and checks every round's sum. */
async function ringRounds(teacher: Awaited<ReturnType<typeof openSession>>) {
  const roster: Roster[] = [];
  while (roster.length < WORLD) {
    const news = await teacher.heard.newsItem();
    if (news.t === 'member') roster.push({ id: news.id, name: news.name });
  }
  const host: ClassMemberHost = classMemberHost(teacher.connection, roster, async () => new Uint8Array());
  const links = ring(host, ranks(WORLD));
  const reports: RoundReport[] = [];
  ranks(WORLD).forEach((rank) => {
    const member = host.spawn(rank);
    member.addEventListener('message', (e) => reports.push(e.data as RoundReport));
    member.postMessage({ type: 'init', rank, world: WORLD, left: links[rank].left, right: links[rank].right });
  });
  await expect.poll(() => reports.length, { timeout: 240_000 }).toBe(WORLD * ROUNDS);
  let expectedTotal = 0;
  const expectedHead: number[] = [];
  for (let i = 0; i < FLOATS; i++) {
    const sum = Math.fround(element(0, i) + element(1, i));
    expectedTotal += sum;
    if (i < 8) expectedHead.push(sum);
  }
  for (const r of reports) {
    expect(r.head, `rank ${r.rank} round ${r.round}`).toEqual(expectedHead);
    expect(r.total).toBe(expectedTotal);
  }
  return { host, reports };
}

test('two members in their own Chromium processes all-reduce over a direct WebRTC link, in pieces, at the ring\'s bytes', async () => {
  const teacher = await openSession(server);
  for (let k = 0; k < WORLD; k++) await joinInPage(pages[k], teacher.join(`member ${k}`));
  const { host, reports } = await ringRounds(teacher);
  const K = FLOATS * 8;
  const theory = (2 * K * (WORLD - 1)) / WORLD;
  const measured: string[] = [];
  for (const r of reports) {
    const peer = r.traffic!.peers.find((p) => p.rank === 1 - r.rank)!;
    expect(peer.via, `rank ${r.rank}'s link`).toBe('direct');
    // What came from the other member this round, counted as it arrived: the ring's share plus each message's framing.
    expect(peer.received).toBeGreaterThanOrEqual(theory);
    expect(peer.received).toBeLessThan(theory + 1000);
    measured.push(`rank ${r.rank} round ${r.round}: received ${peer.received} B, sent ${peer.sent} B over ${peer.via} (theory ${theory} B)`);
  }
  for (const member of host.links()) {
    expect(member.peers.map((p) => p.via)).toEqual(['direct']);
    expect(member.peers[0].sentRelayed + member.peers[0].receivedRelayed, `${member.name} relayed nothing`).toBe(0);
    expect(member.peers[0].receivedDirect).toBeGreaterThanOrEqual(ROUNDS * theory);
  }
  for (const page of pages) expect(await page.evaluate(() => (window as unknown as { logs: string[] }).logs)).toContainEqual(expect.stringMatching(/: direct \(WebRTC data channel\)$/));
  test.info().annotations.push({ type: 'bytes per link', description: measured.join('; ') });
  console.log(measured.join('\n'));

  await host.shutdown();
  for (const page of pages) expect(await page.evaluate(() => (window as unknown as { served: Promise<string> }).served)).toBe('the teacher ended the session');
});

test('a browser member and a Node member (no WebRTC) link through the relay at once', async () => {
  const teacher = await openSession(server);
  const browserId = await joinInPage(pages[0], teacher.join('browser'));
  const node = await connect(server, teacher.join('node'));
  const nodeLogs: string[] = [];
  const served = serveClass(node.connection, nodeRingHost(), (line) => nodeLogs.push(line));
  const { host, reports } = await ringRounds(teacher);
  reports.forEach((r) => expect(r.traffic!.peers.map((p) => p.via), `rank ${r.rank} round ${r.round}`).toEqual(['relay']));
  for (const member of host.links()) expect(member.peers[0].sentDirect + member.peers[0].receivedDirect, member.name).toBe(0);
  expect(nodeLogs).toContain(`link to member ${browserId}: relayed through the class server (this member has no WebRTC)`);
  const nodeId = node.welcome.t === 'joined' ? node.welcome.id : -1;
  expect(await pages[0].evaluate(() => (window as unknown as { logs: string[] }).logs))
    .toContain(`link to member ${nodeId}: relayed through the class server (member ${nodeId} has no WebRTC)`);
  await host.shutdown();
  expect(await served).toBe('the teacher ended the session');
});
