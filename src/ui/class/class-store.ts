// The class as the page knows it (zustand): whether a class server served the page, and either the
// teacher's session (its links, short code and roster) or this member's place in it.
import { create } from 'zustand';
import type { MemberLinks } from '../../class/remote-members';

export interface RosterEntry {
  /** The member's id in the session (the server's). */
  id: number;
  name: string;
  adapter: string | null;
  workers: number | null;
  /** Bytes it sent and received, to and from the teacher and its peers, as it reports them before each step. */
  sent: number;
  received: number;
  /** Its links to its peers: how many go direct (WebRTC) and how many through the server's relay. */
  direct: number;
  relayed: number;
  /** When the teacher last heard from it (Date.now()). */
  lastHeard: number;
  /** present: in the session; left or removed, with why. */
  status: 'present' | 'left' | 'removed';
  why: string | null;
}

/** Something that happened to the class: who joined, who left or was removed, and when in the run. */
export interface ClassEvent {
  at: number;
  /** The run's last step when it happened; null outside a run. */
  step: number | null;
  text: string;
}

export interface TeacherSession {
  joinLink: string;
  /** What a student types on the class server's page instead of the link: the teacher lets each in by name. */
  shortCode: string | null;
}

/** A member page: its name, how far joining got, and why it ended. */
export interface Membership {
  name: string;
  /** The replicas this page runs, each a worker with its own GPUDevice. */
  workers: number;
  state: 'joining' | 'joined' | 'ended';
  /** The server's id for this member. */
  id: number | null;
  message: string | null;
}

interface ClassState {
  /** A class server served this page (null: not known yet). */
  available: boolean | null;
  teacher: TeacherSession | null;
  /** Why the class could not start or ended (teacher). */
  teacherError: string | null;
  roster: RosterEntry[];
  events: ClassEvent[];
  /** The names of the shown run's ranks when it is a class run: the data-parallel views name members with them. */
  runNames: string[] | null;
  /** Teacher: the members' ids by rank in the run shown. */
  runIds: number[] | null;
  /** Teacher: students who typed the short code and wait to be let in. */
  knocks: { knock: number; name: string }[];
  member: Membership | null;
  /** A member page: its rank in the run shown (null: it joined after that run started). */
  memberRank: number | null;
  /** A member page: its links as the teacher last heard of them. */
  memberLinks: MemberLinks | null;
}

export const useClass = create<ClassState>()(() => ({
  available: null, teacher: null, teacherError: null, roster: [], events: [], runNames: null, runIds: null, knocks: [], member: null, memberRank: null, memberLinks: null,
}));

/** How the data-parallel views name rank k: the member's name in a class run, else the replica's number. */
export function replicaName(names: string[] | null, rank: number): string {
  return names?.[rank] ?? `replica ${rank}`;
}

export function addEvent(step: number | null, text: string): void {
  useClass.setState((s) => ({ events: [...s.events.slice(-49), { at: Date.now(), step, text }] }));
}
