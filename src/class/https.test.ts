// The class server over HTTPS (npm run class -- --cert FILE --key FILE), with a self-signed certificate
// made here by openssl: it serves the lab and the session service (wss:) on one port, a client that trusts
// the certificate joins and relays, one that does not is refused by TLS. Members hear the STUN/TURN
// servers of --ice in their welcome, and a malformed --ice file is named by its field.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Heard } from './testing';
import { parseIceServers } from './ice-servers';
import { connectNode } from './node-connect';
import { startClassServer, type ClassServer } from './server';

const ICE = [{ urls: 'stun:stun.school.example:3478' }, { urls: ['turn:turn.school.example:3478?transport=udp'], username: 'class', credential: 'secret' }];

let server: ClassServer;
let cert: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'class-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>lab over https</title>');
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = await startClassServer({ root: dir, host: '127.0.0.1', port: 0, tls: { cert, key: readFileSync(join(dir, 'key.pem'), 'utf8') }, ice: ICE });
});
afterAll(() => server.close());

function fetchPage(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, ca ? { ca } : {}, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('the class server over HTTPS', () => {
  it('serves the lab and the session service to a client that trusts its certificate', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await fetchPage(server.url, cert)).toContain('lab over https');
    const teacher = await connectNode(server.url, { t: 'open' }, cert);
    if (teacher.welcome.t !== 'opened') throw new Error('no session opened');
    const { session, joinKey } = teacher.welcome;
    const member = await connectNode(server.url, { t: 'join', session, key: joinKey, name: 'laptop' }, cert);
    expect(member.welcome).toEqual({ t: 'joined', session, id: 1, ice: ICE });
    const heard = new Heard(teacher.connection);
    member.connection.send('teacher', { hello: 'over wss', v: Float32Array.of(1.5, -0) });
    const m = await heard.message();
    expect(m.body).toEqual({ hello: 'over wss', v: { $vec: 0, of: 'f32' } });
    expect([...new Float32Array(m.frames[0])]).toEqual([1.5, -0]);
    teacher.connection.closeSession();
  });

  it('refuses a client that does not trust the certificate (TLS says why)', async () => {
    await expect(fetchPage(server.url)).rejects.toThrow(/self[- ]signed certificate/);
    await expect(connectNode(server.url, { t: 'open' })).rejects.toThrow(/\(self-signed certificate\): this machine does not trust the server's certificate \(give it with NODE_EXTRA_CA_CERTS=<certificate file>\)$/);
  });

  it('reads --ice files as a list or as { iceServers }, naming what is wrong', () => {
    expect(parseIceServers(JSON.stringify({ iceServers: ICE }), 'ice.json')).toEqual(ICE);
    expect(parseIceServers(JSON.stringify(ICE.slice(0, 1)), 'ice.json')).toEqual(ICE.slice(0, 1));
    expect(() => parseIceServers('{"iceServers": [', 'ice.json')).toThrow(/^--ice ice.json: not JSON/);
    expect(() => parseIceServers('{"servers": []}', 'ice.json')).toThrow('--ice ice.json: expected a list of servers or { "iceServers": [...] }');
    expect(() => parseIceServers('[{"urls": "http://stun.example"}]', 'ice.json')).toThrow('--ice ice.json: iceServers[0].urls must be a stun:, stuns:, turn: or turns: address, or a list of them');
    expect(() => parseIceServers('[{"urls": "stun:a"}, {"urls": "turn:b", "username": "u"}]', 'ice.json')).toThrow('--ice ice.json: iceServers[1] is a TURN server: give its credential');
  });
});
