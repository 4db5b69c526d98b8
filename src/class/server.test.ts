// The class server on loopback: it serves the built lab and nothing beside it; it refuses wrong and missing
// tokens and foreign pages with a message; it relays between a session's teacher and members (vectors bit
// for bit) and never between sessions; and a bounded fuzz of malformed, oversized and cross-session frames,
// raw bytes included, leaves it serving a new session.
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRng, randomBelow, type Rng } from '../core/rng';
import { connectNode } from './node-connect';
import { CLASS_PATH, LIMITS } from './protocol';
import type { ClassServer } from './server';
import { TokenBucket } from './rate-limit';
import { parseSessionLink, sessionLink, socketUrl } from './session-link';
import { connect, openSession, testServer } from './testing';
import { decode } from './wire';

let server: ClassServer & { root: string };
beforeAll(async () => {
  server = await testServer();
  writeFileSync(join(dirname(server.root), 'class-secret.txt'), 'not for the class');
});
afterAll(() => server.close());

function get(path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The status of a WebSocket upgrade to `path` with this Origin (101: accepted). */
function upgradeStatus(origin: string | undefined, path = CLASS_PATH): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(new URL(path, socketUrl(server.url)).href, origin ? { origin } : {});
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    ws.on('error', () => {});
  });
}

describe('class server', () => {
  it('serves the built lab, and no file outside its folder', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>lab</title>');
    for (const path of ['/../class-secret.txt', '/%2e%2e/class-secret.txt', '/..%2fclass-secret.txt', '/missing.js']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('not for the class');
    }
  });

  it('accepts the lab\'s own pages and Node clients, and refuses other origins and other paths', async () => {
    expect(await upgradeStatus(undefined)).toBe(101);
    expect(await upgradeStatus(`http://127.0.0.1:${server.port}`)).toBe(101);
    expect(await upgradeStatus('http://evil.example')).toBe(403);
    expect(await upgradeStatus(`http://127.0.0.1:${server.port + 1}`)).toBe(403);
    expect(await upgradeStatus(undefined, '/other')).toBe(404);
  });

  it('join and teacher links carry the token in the hash, and say what is missing', () => {
    const link = sessionLink('join', server.url, 'abc', 'tok-en_1');
    expect(link).toBe(`${server.url}#join=abc.tok-en_1`);
    expect(parseSessionLink(link, 'join')).toEqual({ server: server.url, session: 'abc', key: 'tok-en_1' });
    expect(() => parseSessionLink(server.url, 'join')).toThrow(/--join: the link has no #join=<session>.<token> part/);
    expect(() => parseSessionLink(`${server.url}#join=abc`, 'join')).toThrow(/needs both the session and its token/);
    expect(() => parseSessionLink('gpu-box', 'teach')).toThrow(/--teach: "gpu-box" is not a link/);
  });

  it('refuses a wrong or missing token, an unknown session, a second teacher and a bad name, each with its message', async () => {
    const t = await openSession(server);
    const refusal = (hello: Parameters<typeof connectNode>[1]) => connectNode(server.url, hello).then(() => 'accepted', (e: Error) => e.message);
    expect(await refusal({ t: 'join', session: t.session, key: 'x'.repeat(32), name: 'eve' })).toBe('wrong join token for this session: ask the teacher for the join link');
    expect(await refusal({ t: 'join', session: t.session, key: '', name: 'eve' })).toBe('protocol error: join: the link has no token');
    expect(await refusal({ t: 'join', session: 'nope', key: t.joinKey, name: 'eve' })).toMatch(/^no such session on this class server/);
    expect(await refusal({ t: 'teach', session: t.session, key: t.joinKey })).toMatch(/^wrong teacher token/);
    const teachKey = t.welcome.t === 'opened' ? t.welcome.teachKey : '';
    expect(await refusal({ t: 'teach', session: t.session, key: teachKey })).toBe('this session already has a teacher connected');
    expect(await refusal({ t: 'join', session: t.session, key: t.joinKey, name: ' \u0007 ' })).toBe('protocol error: name: give a name of 1 to 40 characters');
    expect(await refusal({ t: 'join', session: t.session, key: t.joinKey, name: 'x'.repeat(41) })).toMatch(/name: give a name/);
    const student = await connect(server, t.join('ada'));
    expect(student.welcome.t).toBe('joined');
    t.connection.closeSession();
    expect(await student.connection.ended).toBe('the teacher ended the session');
  });

  it('relays between the teacher and members and between members, vectors bit for bit; names stay text', async () => {
    const t = await openSession(server);
    const a = await connect(server, t.join('  Ada\u202e<b>x</b>\u0007 '));
    const b = await connect(server, t.join('Bo'));
    expect(await t.heard.newsItem()).toEqual({ t: 'member', id: 1, name: 'Ada<b>x</b>', workers: 1 });
    expect(await t.heard.newsItem()).toEqual({ t: 'member', id: 2, name: 'Bo', workers: 1 });
    const grad = new Float32Array([0.1, -0, 1e-40, NaN, Infinity]);
    new Uint32Array(grad.buffer)[3] = 0x7fa5a5a5;
    t.connection.send(1, { k: 'msg', m: { grad, loss: NaN } });
    const atA = await a.heard.message();
    expect(atA.from).toBe('teacher');
    const back = decode((atA.body as { m: unknown }).m, atA.frames).value as { grad: Float32Array; loss: number };
    expect([...new Uint8Array(back.grad.buffer)]).toEqual([...new Uint8Array(grad.buffer)]);
    expect(back.loss).toBeNaN();
    a.connection.send(2, { k: 'link', m: { chunk: Float64Array.of(Math.E, -0) } });
    const atB = await b.heard.message();
    expect(atB.from).toBe(1);
    expect(new Float64Array(atB.frames[0])).toEqual(Float64Array.of(Math.E, -0));
    b.connection.send('teacher', { k: 'msg', m: 'hello' });
    expect(await t.heard.message()).toEqual({ from: 2, body: { k: 'msg', m: 'hello' }, frames: [] });
    b.connection.disconnect();
    expect(await t.heard.newsItem()).toEqual({ t: 'left', id: 2, why: 'disconnected' });
    t.connection.remove(1, 'testing');
    expect(await a.connection.ended).toBe('the teacher removed you from the class: testing');
    t.connection.closeSession();
  });

  it('a session waits for the teacher who opened it to come back (a reload) and ends when the grace time runs out; the server\'s own waits and outlives its runs', async () => {
    const brief = await testServer({ teacherGraceMs: 1500 });
    const t = await openSession(brief);
    const m = await connect(brief, t.join('m'));
    if (t.welcome.t !== 'opened') throw new Error('not opened');
    const teachAgain = { t: 'teach', session: t.session, key: t.welcome.teachKey } as const;
    t.connection.disconnect();
    expect(await m.heard.newsItem()).toEqual({ t: 'teacher-left' });
    const reloaded = await connect(brief, teachAgain);
    expect(reloaded.welcome).toMatchObject({ t: 'opened', session: t.session, members: [{ id: 1, name: 'm' }] });
    expect(await m.heard.newsItem()).toEqual({ t: 'teacher-back' });
    reloaded.connection.disconnect();
    expect(await m.heard.newsItem()).toEqual({ t: 'teacher-left' });
    expect(await m.connection.ended).toBe('the teacher left and did not come back within 2 s');
    expect(await connectNode(brief.url, teachAgain).then(() => 'accepted', (e: Error) => e.message)).toMatch(/^no such session/);
    await brief.close();

    const own = server.sessions.open(null, true);
    const teach = { t: 'teach', session: own.id, key: own.teachKey } as const;
    const joinOwn = { t: 'join', session: own.id, key: own.joinKey, name: 'n' } as const;
    const teacher = await connect(server, teach);
    const member = await connect(server, joinOwn);
    teacher.connection.disconnect();
    expect(await member.heard.newsItem()).toEqual({ t: 'teacher-left' });
    const back = await connect(server, teach);
    expect(back.welcome).toMatchObject({ t: 'opened', session: own.id, members: [{ id: 1, name: 'n' }] });
    back.connection.closeSession();
    expect(await member.connection.ended).toBe('the teacher ended the session');
    expect((await connect(server, joinOwn)).welcome.t).toBe('joined');
  });

  it('never passes anything between sessions', async () => {
    const s1 = await openSession(server);
    const s2 = await openSession(server);
    const x = await connect(server, s1.join('x'));
    const others = [await connect(server, s2.join('p')), await connect(server, s2.join('q')), await connect(server, s2.join('r'))];
    // s1 has member 1 only; s2's members are 1, 2 and 3: a member or teacher of s1 cannot reach them.
    for (const to of [2, 3, 'teacher'] as const) x.connection.send(to, { k: 'msg', m: `to ${to}` });
    s1.connection.send(2, { m: 'from the wrong teacher' });
    s1.connection.remove(3, 'not mine');
    x.connection.send('teacher', { m: 'marker' });
    // Only x's own teacher hears it; the s1 frames before it were handled before the marker.
    expect((await s1.heard.message()).body).toEqual({ k: 'msg', m: 'to teacher' });
    expect((await s1.heard.message()).body).toEqual({ m: 'marker' });
    for (const [k, o] of others.entries()) {
      s2.connection.send(k + 1, { m: 'marker' });
      expect((await o.heard.message()).body, `member ${k + 1} of the other session`).toEqual({ m: 'marker' });
    }
    expect(s2.heard.messages).toEqual([]);
    expect(s2.heard.news.map((n) => n.t)).toEqual(['member', 'member', 'member']);
    s1.connection.closeSession();
    s2.connection.closeSession();
  });

  it('a token bucket allows its burst, then its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 10_000;
    expect(bucket.take(3)).toBe(true);
    expect(bucket.take(4)).toBe(false);
  });

  it('disconnects a client that sends faster than its rate, with its message, and serves the others', async () => {
    const strict = await testServer({ rates: { ...LIMITS, framesPerSecond: 1, frameBurst: 50 } });
    const t = await openSession(strict);
    const m = await connect(strict, t.join('flood'));
    const frame = JSON.stringify({ t: 'send', to: 1, n: 0, body: 0 });
    const socket = (m.connection as unknown as { socket: WebSocket }).socket;
    for (let i = 0; i < 200; i++) socket.send(frame);
    expect(await m.connection.ended).toBe('sent faster than the class server allows (1 messages, 256 MB a second)');
    expect(await t.heard.newsItem()).toMatchObject({ t: 'member', name: 'flood' });
    expect(await t.heard.newsItem()).toMatchObject({ t: 'left' });
    const calm = await connect(strict, t.join('calm'));
    expect(calm.welcome.t).toBe('joined');
    t.connection.closeSession();
    await strict.close();
  });

  it('a bounded fuzz of malformed, oversized and cross-session frames and raw bytes leaves it serving', async () => {
    const rng = createRng(14);
    const t = await openSession(server);
    const other = await openSession(server);
    let handshakes = 0;
    for (let client = 0; client < 40; client++) {
      const ws = new WebSocket(socketUrl(server.url));
      ws.on('error', () => {});
      await new Promise((resolve) => ws.once('open', resolve));
      if (client % 2 === 0) {
        handshakes++;
        ws.send(JSON.stringify(randomBelow(rng, 2) ? t.join(`fuzz ${client}`) : other.join(`fuzz ${client}`)));
      }
      for (let f = 0; f < 12; f++) {
        const frame = fuzzFrame(rng, [t.session, other.session], [t.joinKey, other.joinKey]);
        if (typeof frame === 'string' && /"t":"(open|teach|join)"/.test(frame)) handshakes++;
        ws.send(frame);
      }
      ws.close();
    }
    await Promise.all(Array.from({ length: 10 }, (_, k) => rawBytes(k, rng)));
    expect(handshakes).toBeLessThan(LIMITS.handshakeBurst - 5);
    // The sessions still relay, a new one opens and is joined, and the page is still served.
    const member = await connect(server, t.join('after the fuzz'));
    const joinedAs = member.welcome.t === 'joined' ? member.welcome.id : -1;
    t.connection.send(joinedAs, { m: Float32Array.of(1, 2, 3) });
    const heard = await member.heard.message();
    expect(new Float32Array(heard.frames[0])).toEqual(Float32Array.of(1, 2, 3));
    const fresh = await openSession(server);
    const late = await connect(server, fresh.join('late'));
    expect(late.welcome.t).toBe('joined');
    expect((await get('/')).status).toBe(200);
    for (const s of [t, other, fresh]) s.connection.closeSession();
  });
});

const pick = <T>(rng: Rng, items: T[]): T => items[randomBelow(rng, items.length)];

/** One frame of the fuzz: a well-formed frame with a wrong field, JSON that is not a frame, text that is not JSON, stray binary, or an oversized frame. */
function fuzzFrame(rng: Rng, sessions: string[], keys: string[]): string | Uint8Array {
  const value = () => pick<unknown>(rng, [null, -1, 0, 1, 2, 2.5, 1e9, 'teacher', '', 'x'.repeat(300), [], {}, { $vec: 0, of: 'f32' }, true]);
  switch (randomBelow(rng, 6)) {
    case 0: return JSON.stringify({
      t: pick(rng, ['open', 'teach', 'join', 'send', 'remove', 'close', 'from', 'opened', 'x']),
      session: pick(rng, [...sessions, value()]), key: pick(rng, [...keys, value()]), name: value(), to: value(), n: pick(rng, [-1, 0, 1, 8, 9, 1e9, '1']),
      id: value(), body: { k: 'msg', inst: value(), m: value() },
    });
    case 1: return JSON.stringify(value());
    case 2: return String.fromCharCode(...Array.from({ length: 1 + randomBelow(rng, 200) }, () => randomBelow(rng, 0xd800)));
    case 3: return Uint8Array.from({ length: randomBelow(rng, 64) }, () => randomBelow(rng, 256));
    case 4: return 'x'.repeat(LIMITS.textBytes + 1);
    default: return JSON.stringify({ t: 'send', to: 1, n: 2, body: {} });
  }
}

/** Raw bytes after a real upgrade: random garbage, or a frame header announcing a terabyte. */
function rawBytes(k: number, rng: Rng): Promise<void> {
  return new Promise((resolve) => {
    const socket = tcpConnect(server.port, '127.0.0.1', () => {
      socket.write(`GET ${CLASS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
        + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      // A masked binary frame of 2^40 bytes (64-bit length), or bytes that are no frame at all.
      const huge = Buffer.from([0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
      socket.write(k % 2 === 0 ? huge : Buffer.from(Array.from({ length: 100 }, () => randomBelow(rng, 256))));
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.setTimeout(5000, () => socket.destroy());
  });
}
