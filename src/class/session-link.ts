// Join and teacher links: the lab's address on the class server, with the session and its token in the
// hash (`#join=<session>.<token>`, `#teach=<session>.<token>`). A hash never reaches the server in a
// request line, so no access log or proxy ever records a token.
import { CLASS_PATH } from './protocol';

export type LinkRole = 'join' | 'teach';

export interface SessionLink {
  /** The lab's address on the class server (no hash). */
  server: string;
  session: string;
  key: string;
}

export class LinkError extends Error {}

export function sessionLink(role: LinkRole, server: string, session: string, key: string): string {
  const url = new URL(server);
  url.hash = `${role}=${session}.${key}`;
  return url.href;
}

/** Reads a join or teacher link; the message says what is missing. */
export function parseSessionLink(link: string, role: LinkRole): SessionLink {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new LinkError(`--${role}: "${link.slice(0, 80)}" is not a link (expected http://<server>:<port>/#${role}=<session>.<token>)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LinkError(`--${role}: the link must start with http:// or https://`);
  const value = new URLSearchParams(url.hash.slice(1)).get(role);
  if (!value) throw new LinkError(`--${role}: the link has no #${role}=<session>.<token> part (copy the whole link)`);
  const dot = value.indexOf('.');
  if (dot <= 0 || dot === value.length - 1) throw new LinkError(`--${role}: the link's ${role}= part needs both the session and its token (<session>.<token>)`);
  url.hash = '';
  return { server: url.href, session: value.slice(0, dot), key: value.slice(dot + 1) };
}

/** The session service's WebSocket address on the server at `server`. */
export function socketUrl(server: string): string {
  const url = new URL(CLASS_PATH, server);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  return url.href;
}
