// What the address this page was opened with makes of it: the lab (a share link), a class's teacher (a
// teacher link, taken out of the address bar so the share link replaces it and the token is not shared by
// accident), or a member (a join link, kept so that a reload joins again).
import { LinkError, parseSessionLink, type SessionLink } from '../../class/session-link';

export type PageRole =
  | { kind: 'lab' }
  | { kind: 'teach'; link: string }
  | { kind: 'join'; link: SessionLink | null; error: string | null };

export function classRoleOfPage(): PageRole {
  const hash = new URLSearchParams(window.location.hash.slice(1));
  if (hash.has('teach')) {
    const link = window.location.href;
    window.history.replaceState(null, '', window.location.pathname);
    return { kind: 'teach', link };
  }
  if (!hash.has('join')) return { kind: 'lab' };
  try {
    return { kind: 'join', link: parseSessionLink(window.location.href, 'join'), error: null };
  } catch (e) {
    if (!(e instanceof LinkError)) throw e;
    return { kind: 'join', link: null, error: `${e.message.replace(/^--join: /, 'This join link is not whole: ')}. Ask the teacher for the link again.` };
  }
}
