// A member's side of a class in the page: checks WebGPU, joins the session its link names, serves the
// teacher's runs with this page's Web Workers (each replica its own GPU device, as in one tab), tells the
// teacher its adapter and traffic about once a second, and shows the teacher's view of the run.
import { connectBrowser, type Traffic } from '../../class/browser-connect';
import { serveClass } from '../../class/member-client';
import { testFaultFromEnv, withTestFault } from '../../class/test-fault';
import type { SessionLink } from '../../class/session-link';
import { throttledSpawn } from '../../parallel/test-throttle';
import type { MemberHost } from '../../parallel/members';
import { webMemberHost } from '../../parallel/web-replicas';
import { useLab } from '../store';
import { readView, type MemberStats } from './class-messages';
import { addEvent, useClass, type Membership } from './class-store';

const STATS_MS = 1000;
/**
 * Tests only: a join link with ?testfault=nan@STEP (or length@STEP) before its hash makes this member send a
 * poisoned vector at that step (src/class/test-fault.ts), to show the teacher removing and naming it. It changes
 * nothing a member could not do anyway by sending what it likes; the teacher checks every vector.
 */
const TEST_FAULT_PARAM = 'testfault';
/**
 * Tests only: ?testthrottle=MS before the hash makes this member's replicas sleep MS ms per sample in their
 * compute phase (src/parallel/test-throttle.ts), a slower GPU for balance=speed to plan around. Like
 * testfault it is read from the join link's query alone, never from a config or a share link.
 */
const TEST_THROTTLE_PARAM = 'testthrottle';

/** The member's local host, with the test-only fault and throttle of its join link applied. */
function memberHost(query: URLSearchParams): Pick<MemberHost, 'spawn'> {
  const fault = testFaultFromEnv(query.get(TEST_FAULT_PARAM) ?? undefined);
  const throttle = Number(query.get(TEST_THROTTLE_PARAM) ?? 0);
  if (!Number.isFinite(throttle) || throttle < 0) throw new Error(`${TEST_THROTTLE_PARAM} must be a number of ms per sample, 0 or more; got ${query.get(TEST_THROTTLE_PARAM)}`);
  const host = webMemberHost();
  const local = throttle > 0 ? { spawn: throttledSpawn(host.spawn, () => throttle) } : host;
  return fault ? withTestFault(local, fault) : local;
}


/** The page's WebGPU adapter, named as the replicas name theirs; throws saying plainly what is missing. */
async function adapterName(): Promise<string> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    throw new Error('This browser has no WebGPU, so it cannot train with the class. Use a recent Chrome or Edge (on Linux started with --enable-unsafe-webgpu), over HTTPS or on this computer.');
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('WebGPU is present but found no GPU adapter, so this computer cannot train with the class. Check chrome://gpu.');
  const { vendor, architecture, description } = adapter.info;
  return [vendor, architecture, description].filter(Boolean).join(' ') || 'WebGPU adapter';
}

/** A name typed with a short code, carried over the reload to the join link the teacher's answer gave. */
const NAME_KEY = 'lab-class-name';

export function rememberName(name: string): void {
  sessionStorage.setItem(NAME_KEY, name);
}

/** The name remembered by a knock the teacher let in (once: a later reload asks again). */
export function rememberedName(): string | null {
  const name = sessionStorage.getItem(NAME_KEY);
  sessionStorage.removeItem(NAME_KEY);
  return name;
}

export const traffic: Traffic = { sent: 0, received: 0 };
let lastRun = 0;

/** Joins the class as `name`, offering `workers` replicas, and serves it until the session ends. */
export async function joinClass(link: SessionLink, name: string, workers = 1): Promise<void> {
  const set = (change: Partial<Membership>) => useClass.setState((s) => ({ member: { name, workers, state: 'joining', id: null, message: null, ...s.member, ...change } }));
  set({ name, workers, state: 'joining', message: null });
  let adapter: string;
  let local: Pick<MemberHost, 'spawn'>;
  try {
    adapter = await adapterName();
    local = memberHost(new URLSearchParams(window.location.search));
  } catch (e) {
    return set({ state: 'ended', message: e instanceof Error ? e.message : String(e) });
  }
  let joined;
  try {
    joined = await connectBrowser(link.server, { t: 'join', session: link.session, key: link.key, name, workers }, traffic);
  } catch (e) {
    return set({ state: 'ended', message: e instanceof Error ? e.message : String(e) });
  }
  const { connection, welcome } = joined;
  set({ state: 'joined', id: welcome.t === 'joined' ? welcome.id : null });
  useLab.getState().setAdapter(adapter);
  const stats = () => connection.send('teacher', { k: 'stats', adapter, workers } satisfies MemberStats);
  stats();
  const timer = setInterval(stats, STATS_MS);
  connection.onMessage(({ from, body }) => {
    const view = from === 'teacher' ? readView(body) : null;
    if (!view) return;
    const lab = useLab.getState();
    if (view.run !== lastRun) {
      lastRun = view.run;
      lab.beginRun(view.config);
      lab.setAdapter(adapter);
    }
    if (view.records.length > 0) lab.appendRecords(view.records);
    if (useLab.getState().status !== view.status) lab.setStatus(view.status);
    useClass.setState({ runNames: view.names, memberRank: view.rank, memberLinks: view.links });
  });
  connection.onNews((news) => {
    if (news.t === 'teacher-left') addEvent(null, 'The teacher left: waiting for the teacher to come back');
    if (news.t === 'teacher-back') addEvent(null, 'The teacher is back: the next run will ask for your workers again');
  });
  const why = await serveClass(connection, local);
  clearInterval(timer);
  set({ state: 'ended', message: `The class ended: ${why}` });
}
