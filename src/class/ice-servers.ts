// The STUN/TURN servers a teacher gives the class server (`--ice FILE`), checked field by field: the class
// server hands them to each member as it joins, for the peer connections of its direct links.
import type { IceServer } from './protocol';

const SCHEMES = /^(stun|stuns|turn|turns):/;

/**
 * `text`: the file's JSON, either a list of servers or RTCPeerConnection's own `{ "iceServers": [...] }`;
 * each server has `urls` (stun:, stuns:, turn: or turns:) and, for TURN, `username` and `credential`.
 */
export function parseIceServers(text: string, file: string): IceServer[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`--ice ${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const list = Array.isArray(json) ? json : (json as { iceServers?: unknown } | null)?.iceServers;
  if (!Array.isArray(list)) throw new Error(`--ice ${file}: expected a list of servers or { "iceServers": [...] }`);
  return list.map((raw: unknown, i): IceServer => {
    const s = raw as Partial<Record<keyof IceServer, unknown>> | null;
    const urls = typeof s?.urls === 'string' ? [s.urls] : s?.urls;
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string' && SCHEMES.test(u))) {
      throw new Error(`--ice ${file}: iceServers[${i}].urls must be a stun:, stuns:, turn: or turns: address, or a list of them`);
    }
    const turn = urls.some((u: string) => u.startsWith('turn'));
    for (const field of ['username', 'credential'] as const) {
      if (s![field] !== undefined && typeof s![field] !== 'string') throw new Error(`--ice ${file}: iceServers[${i}].${field} must be text`);
      if (turn && typeof s![field] !== 'string') throw new Error(`--ice ${file}: iceServers[${i}] is a TURN server: give its ${field}`);
    }
    return { urls: s!.urls as string | string[], ...(s!.username !== undefined ? { username: s!.username as string } : {}), ...(s!.credential !== undefined ? { credential: s!.credential as string } : {}) };
  });
}
