// Helpers for the class tests: a class server on a free loopback port, and a connection's relayed
// messages and session news as awaitable queues.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClassConnection, Relayed, SessionNews } from './connection';
import { connectNode } from './node-connect';
import type { ToServer } from './protocol';
import { startClassServer, type ClassServer, type ClassServerOptions } from './server';

/** A class server on 127.0.0.1 and a free port, serving a one-page folder; `options` tighten its limits. */
export async function testServer(options: Pick<ClassServerOptions, 'rates' | 'teacherGraceMs'> = {}): Promise<ClassServer & { root: string }> {
  const root = mkdtempSync(join(tmpdir(), 'class-root-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>lab</title>');
  return { ...(await startClassServer({ root, host: '127.0.0.1', port: 0, ...options })), root };
}

/** Hands out what a connection hears, in order. */
export class Heard {
  readonly messages: Relayed[] = [];
  readonly news: SessionNews[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(readonly connection: ClassConnection) {
    connection.onMessage((m) => this.push(this.messages, m));
    connection.onNews((n) => this.push(this.news, n));
  }

  async message(): Promise<Relayed> {
    while (this.messages.length === 0) await this.wake();
    return this.messages.shift()!;
  }

  async newsItem(): Promise<SessionNews> {
    while (this.news.length === 0) await this.wake();
    return this.news.shift()!;
  }

  private push<T>(queue: T[], item: T): void {
    queue.push(item);
    this.waiters.splice(0).forEach((w) => w());
  }

  private wake(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

export async function connect(server: ClassServer, hello: ToServer) {
  const { connection, welcome } = await connectNode(server.url, hello);
  return { connection, welcome, heard: new Heard(connection) };
}

/** A teacher with a new session, and the hello that joins it. */
export async function openSession(server: ClassServer) {
  const teacher = await connect(server, { t: 'open' });
  if (teacher.welcome.t !== 'opened') throw new Error('the server did not open a session');
  const { session, joinKey } = teacher.welcome;
  return { ...teacher, session, joinKey, join: (name: string): ToServer => ({ t: 'join', session, key: joinKey, name }) };
}
