// The teacher's side of a class in the page: opens (or, from a teacher link, takes) a session, keeps the
// roster from the server's news and the members' reports, lends the run controller the class's members as
// the run's replicas (rank k: the k-th member present when Train was pressed; the run is elastic, so members
// who leave are dropped and members who join enter at the next step), and sends each member its view of
// the run as the records arrive.
import { connectBrowser, pageServer } from '../../class/browser-connect';
import type { ClassConnection } from '../../class/connection';
import type { Roster, ToServer } from '../../class/protocol';
import { classMemberHost, type ClassMemberHost, type MemberLinks } from '../../class/remote-members';
import { parseSessionLink, sessionLink } from '../../class/session-link';
import { applyOverrides, fieldFor, type RunConfig } from '../../core/config';
import type { MetricRecord } from '../../core/metrics';
import { fetchAsset } from '../../parallel/fetch-asset';
import { useLab } from '../store';
import { readStats, type ClassView } from './class-messages';
import { lendMembers, type ClassRun } from './on-demand';
import { addEvent, useClass, type RosterEntry } from './class-store';
import { rememberTeacherLink } from './page-role';

/** A member's silence counts after three of these: a loaded laptop or a slow relay may hold a message for seconds. */
const CLASS_HEARTBEAT_MS = 10_000;
/** Records per view message, to stay well under the server's text-frame limit. */
const VIEW_CHUNK = 64;

let connection: ClassConnection | null = null;
let host: ClassMemberHost | null = null;
/** The run's members by rank, and the session's members waiting to enter it: the host keeps both as members leave and join. */
const ranks: Roster[] = [];
const waiting: Roster[] = [];
let runs = 0;
/** The class run shown: its number and config. */
let shown: { run: number; config: RunConfig } | null = null;
let pending: { run: number; config: RunConfig } | null = null;
/** How many of the shown run's records each member has had. */
const delivered = new Map<number, { run: number; count: number }>();
let links: MemberLinks[] = [];

const lastStep = () => {
  const records = useLab.getState().records;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.type === 'step') return r.step;
  }
  return null;
};

function updateMember(id: number, change: Partial<RosterEntry>): void {
  useClass.setState((s) => ({ roster: s.roster.map((m) => (m.id === id ? { ...m, ...change } : m)) }));
}

function addMember(id: number, name: string, workers = 1): void {
  const entry: RosterEntry = {
    id, name, adapter: null, workers, sent: 0, received: 0, direct: 0, relayed: 0, lastHeard: Date.now(), status: 'present', why: null,
  };
  useClass.setState((s) => ({ roster: [...s.roster.filter((m) => m.id !== id), entry] }));
  addEvent(shown ? lastStep() : null, `${name} joined the class`);
}

/** The roster's traffic columns from the members' link reports. */
function heardLinks(now: MemberLinks[]): void {
  links = now;
  for (const l of now) {
    const sum = (f: (p: MemberLinks['peers'][number]) => number) => l.peers.reduce((n, p) => n + f(p), 0);
    updateMember(l.id, {
      sent: l.teacher.sent + sum((p) => p.sentDirect + p.sentRelayed),
      received: l.teacher.received + sum((p) => p.receivedDirect + p.receivedRelayed),
      direct: l.peers.filter((p) => p.via === 'direct').length,
      relayed: l.peers.filter((p) => p.via === 'relay').length,
    });
  }
}

let leavingPage = false;
window.addEventListener('pagehide', () => { leavingPage = true; });

/** Opens a session of the class server that served this page, or takes the one a teacher link names. */
export async function startClass(teachLink: string | null = null): Promise<void> {
  if (connection) return;
  useClass.setState({ teacherError: null });
  let server = pageServer();
  let hello: ToServer = { t: 'open' };
  if (teachLink) {
    const link = parseSessionLink(teachLink, 'teach');
    server = link.server;
    hello = { t: 'teach', session: link.session, key: link.key };
  }
  let joined;
  try {
    joined = await connectBrowser(server, hello);
  } catch (e) {
    rememberTeacherLink(null);
    useClass.setState({ teacherError: e instanceof Error ? e.message : String(e) });
    return;
  }
  const { connection: c, welcome } = joined;
  if (welcome.t !== 'opened') return c.disconnect();
  connection = c;
  lendMembers(classRun);
  rememberTeacherLink(sessionLink('teach', server, welcome.session, welcome.teachKey));
  useClass.setState({ teacher: { joinLink: sessionLink('join', server, welcome.session, welcome.joinKey), shortCode: welcome.code }, roster: [], events: [], knocks: [] });
  welcome.members.forEach((m) => addMember(m.id, m.name, m.workers));
  if (teachLink) addEvent(null, `Teaching this class again: ${welcome.members.length} joined`);
  ranks.length = 0;
  waiting.splice(0, waiting.length, ...welcome.members);
  host = classMemberHost(c, ranks, fetchAsset, waiting);
  host.onLinks(heardLinks);
  c.onNews((news) => {
    if (news.t === 'member') addMember(news.id, news.name, news.workers);
    if (news.t === 'knock') useClass.setState((s) => ({ knocks: [...s.knocks, { knock: news.knock, name: news.name }] }));
    if (news.t === 'unknocked') useClass.setState((s) => ({ knocks: s.knocks.filter((k) => k.knock !== news.knock) }));
    if (news.t !== 'left') return;
    const member = useClass.getState().roster.find((m) => m.id === news.id);
    if (!member || member.status !== 'present') return;
    updateMember(news.id, { status: 'left', why: news.why });
    addEvent(shown ? lastStep() : null, `${member.name} left the class (${news.why})`);
  });
  c.onMessage(({ from, body }) => {
    if (from === 'teacher') return;
    const stats = readStats(body);
    updateMember(from, { lastHeard: Date.now(), ...(stats && { adapter: stats.adapter, workers: stats.workers }) });
  });
  void c.ended.then((why) => {
    connection = null;
    host = null;
    // A reload closes the connection too: the link stays for the reloaded page to teach the class again.
    if (!leavingPage) rememberTeacherLink(null);
    useClass.setState({ teacher: null, teacherError: `The class ended: ${why}` });
  });
}

/** Takes member `id` out of the class (its part of a run fails, naming it, and the run goes on without it). */
export function removeMember(id: number): void {
  const member = useClass.getState().roster.find((m) => m.id === id);
  if (!connection || !member || member.status !== 'present') return;
  connection.remove(id, 'removed by the teacher');
  updateMember(id, { status: 'removed', why: 'removed by the teacher' });
  addEvent(shown ? lastStep() : null, `${member.name} was removed by the teacher`);
}

/** Answers a student who typed the short code: let in, it is handed the join link and joins with it. */
export function answerKnock(knock: number, admit: boolean): void {
  if (admit) connection?.admit(knock);
  else connection?.turnAway(knock);
  useClass.setState((s) => ({ knocks: s.knocks.filter((k) => k.knock !== knock) }));
}

/** Ends the session: every member is let go and the links stop working. */
export function endClass(): void {
  connection?.closeSession();
}

/**
 * The run Train starts while a class is open: the config in the form as data parallelism with one replica
 * per member present (at most the lab's bound on replicas), on the class's members. Throws (a ConfigError naming the field) where the class
 * cannot train it; null when no class is open.
 */
function classRun(config: RunConfig): ClassRun | null {
  if (!connection || !host) return null;
  const present = useClass.getState().roster.filter((m) => m.status === 'present').map((m) => ({ id: m.id, name: m.name, workers: m.workers ?? 1 }));
  if (present.length === 0) throw new Error('No member has joined the class yet: share the join link, then press Train.');
  // The first members present whose workers fit the lab's bound on replicas (a replica per worker); the others wait for a place.
  const most = (fieldFor('replicas') as { max: number }).max;
  let taken = 0;
  let replicas = 0;
  while (taken < present.length && replicas + present[taken].workers <= most) replicas += present[taken++].workers;
  if (taken === 0) throw new Error(`${present[0].name} offers ${present[0].workers} workers, more than the ${most} replicas a run may have.`);
  const run = applyOverrides(config, [['mode', 'data'], ['replicas', String(replicas)]]);
  ranks.splice(0, ranks.length, ...present.slice(0, taken));
  waiting.splice(0, waiting.length, ...present.slice(taken));
  pending = { run: ++runs, config: run };
  return { config: run, env: host, heartbeatMs: CLASS_HEARTBEAT_MS };
}

/** The run's ranks as the views name them (the host changes them as members leave and join). */
function showRanks(): void {
  useClass.setState({ runNames: [...(host?.membership?.names() ?? [])], runIds: rankIds() });
}

/** The member at each rank: a member with several workers holds consecutive ranks. */
function rankIds(): number[] {
  return ranks.flatMap((m) => new Array<number>(m.workers ?? 1).fill(m.id));
}

/** Sends each member present the records of the shown run it has not had, with its rank and links. */
function sendViews(records: MetricRecord[]): void {
  if (!connection || !shown) return;
  const { status } = useLab.getState();
  const names = [...(host?.membership?.names() ?? [])];
  const ids = rankIds();
  for (const member of useClass.getState().roster) {
    if (member.status !== 'present') continue;
    const had = delivered.get(member.id);
    const from = had?.run === shown.run ? had.count : 0;
    const fresh = records.slice(from);
    const rank = ids.indexOf(member.id);
    const own = links.find((l) => l.id === member.id) ?? null;
    for (let i = 0; i === 0 || i < fresh.length; i += VIEW_CHUNK) {
      const view: ClassView = {
        k: 'view', run: shown.run, rank: rank < 0 ? null : rank, names, config: shown.config, status, records: fresh.slice(i, i + VIEW_CHUNK), links: own,
      };
      connection.send(member.id, view);
    }
    delivered.set(member.id, { run: shown.run, count: records.length });
  }
}

// A class run begins when the run controller starts the run classRun lent its members to, and ends with Reset.
useLab.subscribe((s, prev) => {
  if (s.runConfig !== prev.runConfig) {
    shown = pending && s.runConfig === pending.config ? pending : null;
    pending = null;
    if (shown) showRanks();
    else useClass.setState({ runNames: null, runIds: null });
  }
  if (!shown || (s.records === prev.records && s.status === prev.status)) return;
  if (s.records.slice(prev.records.length).some((r) => r.type === 'membership')) showRanks();
  sendViews(s.records);
});
