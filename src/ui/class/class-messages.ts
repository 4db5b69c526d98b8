// What a teacher page and its members' pages say to each other over the class server, beside the run's own
// messages (which serveClass and classMemberHost carry): the teacher's view of the run for each member, and
// each member's figures for the roster. Each side checks the fields it reads (the records inside a view
// are the teacher's run's own, the session's owner).
import type { MemberLinks } from '../../class/remote-members';
import type { RunConfig } from '../../core/config';
import type { MetricRecord } from '../../core/metrics';
import type { RunStatus } from '../store';

/** Teacher → member: the run as the member's page shows it. `run` counts the teacher's runs: a new one starts the view afresh. */
export interface ClassView {
  k: 'view';
  run: number;
  /** The member's rank in this run; null: it joined after the run started and waits for the next. */
  rank: number | null;
  /** The run's members by rank. */
  names: string[];
  config: RunConfig;
  status: RunStatus;
  /** The records this member has not had yet (a member who joins mid-run gets the run from its start). */
  records: MetricRecord[];
  /** Its links as it last reported them to the teacher: each peer's, direct or relayed, and the teacher's, bytes each way. */
  links: MemberLinks | null;
}

/** Member → teacher, about once a second: what the roster shows of it. */
export interface MemberStats {
  k: 'stats';
  adapter: string;
  /** Web Workers (each its own GPU device) the member trains with. */
  workers: number;
}

const STATUSES: readonly RunStatus[] = ['idle', 'running', 'paused', 'done', 'stopped', 'error'];
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A member's stats as the teacher may use them; null for anything else. */
export function readStats(body: unknown): MemberStats | null {
  const b = body as Partial<MemberStats> | null;
  if (b?.k !== 'stats' || typeof b.adapter !== 'string' || !finite(b.workers)) return null;
  return { k: 'stats', adapter: b.adapter.slice(0, 120), workers: b.workers };
}

/** The teacher's view as a member may use it; null for anything else. */
export function readView(body: unknown): ClassView | null {
  const b = body as Partial<ClassView> | null;
  if (b?.k !== 'view' || !Number.isInteger(b.run) || !Array.isArray(b.records) || typeof b.config !== 'object' || b.config === null) return null;
  if (!Array.isArray(b.names) || !b.names.every((n) => typeof n === 'string') || !STATUSES.includes(b.status as RunStatus)) return null;
  if (b.rank !== null && !Number.isInteger(b.rank)) return null;
  return b as ClassView;
}
