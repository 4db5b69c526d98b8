// The CLI in a class (npm run class): --teach opens a session on a class server (or takes the server's
// own, from its teacher link), waits for its members and trains with them as data-parallel replicas;
// --join trains as one member of a class on this machine's GPU (Dawn), in a worker thread per run.
import { applyOverrides, type RunConfig } from '../core/config';
import { serveClass } from '../class/member-client';
import { connectNode } from '../class/node-connect';
import type { Roster, ToServer } from '../class/protocol';
import { classMemberHost, type ClassMemberHost } from '../class/remote-members';
import { parseSessionLink, sessionLink } from '../class/session-link';
import { testFaultFromEnv, withTestFault } from '../class/test-fault';
import { UsageError } from './args';
import { readDataAsset } from './csv-data';
import { nodeMemberHost } from './node-replicas';
import { prepareMnist } from './prepare-data';

export interface TeachOptions {
  /** The class server's address, or its teacher link. */
  server: string;
  members: number;
}

export interface JoinOptions {
  link: string;
  name: string;
  /** The run's replicas this machine offers to run, each its own device. */
  workers: number;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/** The run a class trains: data parallelism with one replica per member. */
export function classConfig(config: RunConfig, members: number, resumed: boolean): RunConfig {
  if (config.mode !== 'data') throw new UsageError(`--teach trains data-parallel: drop mode=${config.mode}`);
  if (resumed && config.replicas !== members) throw new UsageError(`--members: the checkpoint's run has ${config.replicas} replicas, so it needs --members ${config.replicas}`);
  return applyOverrides(config, [['replicas', String(members)]]);
}

function teachHello(server: string): { server: string; hello: ToServer } {
  if (server.includes('#teach=')) {
    const link = parseSessionLink(server, 'teach');
    return { server: link.server, hello: { t: 'teach', session: link.session, key: link.key } };
  }
  try {
    return { server: new URL(server).href, hello: { t: 'open' } };
  } catch {
    throw new UsageError(`--teach: "${server.slice(0, 80)}" is not the class server's address (http://<server>:<port>/) or its teacher link`);
  }
}

/** Opens or takes the session, prints its join link, and waits for `members` members: the run's host. */
export async function teachClass(options: TeachOptions): Promise<ClassMemberHost> {
  const { server, hello } = teachHello(options.server);
  const { connection, welcome } = await connectNode(server, hello);
  if (welcome.t !== 'opened') throw new Error('the class server did not open a session');
  say(`join: ${sessionLink('join', server, welcome.session, welcome.joinKey)}`);
  const roster: Roster[] = [...welcome.members];
  await new Promise<void>((resolve, reject) => {
    const progress = () => {
      say(`${roster.length} of ${options.members} members: ${roster.map((m) => m.name).join(', ') || 'waiting'}`);
      if (roster.length >= options.members) resolve();
    };
    connection.onNews((news) => {
      if (news.t === 'member') roster.push({ id: news.id, name: news.name, workers: news.workers });
      const gone = news.t === 'left' ? roster.findIndex((m) => m.id === news.id) : -1;
      if (gone >= 0) roster.splice(gone, 1);
      progress();
    });
    void connection.ended.then((why) => reject(new Error(`the class server connection ended: ${why}`)));
    progress();
  });
  // Members beyond the count enter the run at its first step boundary, as later joiners do.
  return classMemberHost(connection, roster.slice(0, options.members), readDataAsset, roster.slice(options.members));
}

/** Serves the class until its session ends; exits 0 when the teacher ends it, 1 when the connection is lost. */
export async function joinClass(options: JoinOptions): Promise<never> {
  const link = parseSessionLink(options.link, 'join');
  prepareMnist();
  let joined;
  try {
    joined = await connectNode(link.server, { t: 'join', session: link.session, key: link.key, name: options.name, workers: options.workers });
  } catch (e) {
    say(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  const { connection, welcome } = joined;
  say(`joined the class at ${link.server} as ${options.name}, ${options.workers} worker${options.workers === 1 ? '' : 's'} (member ${welcome.t === 'joined' ? welcome.id : '?'}): waiting for the teacher's run`);
  process.once('SIGINT', () => connection.disconnect());
  const local = nodeMemberHost();
  const fault = testFaultFromEnv(process.env.LAB_TEST_FAULT);
  const why = await serveClass(connection, fault ? withTestFault(local, fault) : local, say, welcome.t === 'joined' ? { self: welcome.id, ice: welcome.ice } : {});
  await local.shutdown();
  say(`the class ended: ${why}`);
  process.exit(why === 'the teacher ended the session' ? 0 : 1);
}
