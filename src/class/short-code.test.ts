// The short code a student may type instead of the join link: it only knocks. The teacher hears the name
// and lets the knock in (the knocker is handed the join token, then joins like anyone with the link) or
// turns it away; a wrong code, a knock without a teacher and a knocker that sends anything else are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNode } from './node-connect';
import type { ClassServer } from './server';
import { connect, openSession, testServer } from './testing';

let server: ClassServer;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server.close());

describe('short codes', () => {
  it('a knock reaches the teacher by name; admitted, the knocker gets the join token and joins with it', async () => {
    const teacher = await openSession(server);
    if (teacher.welcome.t !== 'opened') throw new Error('not opened');
    expect(teacher.welcome.code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    // Typed in lower case without the dash, it still finds the class.
    const typed = teacher.welcome.code.replace('-', '').toLowerCase();
    const { connection: knocker, welcome } = await connectNode(server.url, { t: 'knock', code: typed, name: 'Ada' });
    expect(welcome.t).toBe('knocking');
    const news = await teacher.heard.newsItem();
    expect(news).toEqual({ t: 'knock', knock: 1, name: 'Ada' });
    teacher.connection.admit(1);
    expect(await knocker.ended).toContain('admitted');
    expect(knocker.admitted).toEqual({ session: teacher.session, joinKey: teacher.joinKey });
    const member = await connect(server, { t: 'join', session: teacher.session, key: knocker.admitted!.joinKey, name: 'Ada' });
    expect(member.welcome.t).toBe('joined');
    expect(await teacher.heard.newsItem()).toMatchObject({ t: 'member', name: 'Ada' });
    teacher.connection.closeSession();
  });

  it('a knock turned away learns no token; one that gives up is withdrawn from the teacher', async () => {
    const teacher = await openSession(server);
    if (teacher.welcome.t !== 'opened') throw new Error('not opened');
    const { connection: eve } = await connectNode(server.url, { t: 'knock', code: teacher.welcome.code, name: 'Eve' });
    expect(await teacher.heard.newsItem()).toEqual({ t: 'knock', knock: 1, name: 'Eve' });
    teacher.connection.turnAway(1);
    expect(await eve.ended).toBe('the teacher did not let you in');
    expect(eve.admitted).toBeNull();
    const { connection: bob } = await connectNode(server.url, { t: 'knock', code: teacher.welcome.code, name: 'Bob' });
    expect(await teacher.heard.newsItem()).toEqual({ t: 'knock', knock: 2, name: 'Bob' });
    bob.disconnect();
    expect(await teacher.heard.newsItem()).toEqual({ t: 'unknocked', knock: 2 });
    teacher.connection.closeSession();
  });

  it('a wrong code, a class without its teacher, and a knocker that tries to send are refused with a message', async () => {
    await expect(connectNode(server.url, { t: 'knock', code: 'AAAA-AAAA', name: 'Eve' })).rejects.toThrow('no class with this code on this class server');
    const own = server.sessions.open(null, true);
    await expect(connectNode(server.url, { t: 'knock', code: own.code, name: 'Eve' })).rejects.toThrow('the teacher of this class is not connected');
    const teacher = await openSession(server);
    if (teacher.welcome.t !== 'opened') throw new Error('not opened');
    const { connection: eve } = await connectNode(server.url, { t: 'knock', code: teacher.welcome.code, name: 'Eve' });
    eve.send('teacher', { hello: 1 });
    expect(await eve.ended).toBe('protocol error: send: wait for the teacher to let you in');
    teacher.connection.closeSession();
  });
});
