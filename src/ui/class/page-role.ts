// What the address this page was opened with makes of it: the lab (a share link), a class's teacher (a
// teacher link, taken out of the address bar so the share link replaces it and the token is not shared by
// accident, but kept in this tab's session storage so that a reload teaches the class again), or a member
// (a join link, kept so that a reload joins again).
import { LinkError, parseSessionLink, type SessionLink } from '../../class/session-link';

export type PageRole =
  | { kind: 'lab' }
  | { kind: 'teach'; link: string }
  | { kind: 'join'; link: SessionLink | null; error: string | null };

/** This tab's teacher link while its class is open (session storage: this tab only, gone with it). */
const TEACHER_LINK = 'lab.class.teacher-link';

/** Keeps (or, with null, forgets) the link that teaches this tab's class, for a reload. */
export function rememberTeacherLink(link: string | null): void {
  try {
    if (link) sessionStorage.setItem(TEACHER_LINK, link);
    else sessionStorage.removeItem(TEACHER_LINK);
  } catch {
    // Storage off (a private window's policy): a reload then loses the class, as it says in the docs.
  }
}

function rememberedTeacherLink(): string | null {
  try {
    return sessionStorage.getItem(TEACHER_LINK);
  } catch {
    return null;
  }
}

export function classRoleOfPage(): PageRole {
  const hash = new URLSearchParams(window.location.hash.slice(1));
  if (hash.has('teach')) {
    const link = window.location.href;
    window.history.replaceState(null, '', window.location.pathname);
    return { kind: 'teach', link };
  }
  if (hash.has('join')) return joinRole();
  const remembered = rememberedTeacherLink();
  return remembered ? { kind: 'teach', link: remembered } : { kind: 'lab' };
}

function joinRole(): PageRole {
  try {
    return { kind: 'join', link: parseSessionLink(window.location.href, 'join'), error: null };
  } catch (e) {
    if (!(e instanceof LinkError)) throw e;
    return { kind: 'join', link: null, error: `${e.message.replace(/^--join: /, 'This join link is not whole: ')}. Ask the teacher for the link again.` };
  }
}
