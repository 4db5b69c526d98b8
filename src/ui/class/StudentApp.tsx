// The lab opened with a join link: a member's page. The student gives a name and joins; the page checks
// WebGPU, then trains the teacher's runs on this computer's GPU and shows the run's loss and accuracy, the
// samples this computer trains, its share of the work and its traffic. The teacher sets the config and
// drives the run: nothing here changes either.
import { useEffect, useState, type FormEvent } from 'react';
import { LIMITS } from '../../class/protocol';
import type { MemberLinks } from '../../class/remote-members';
import type { SessionLink } from '../../class/session-link';
import { MetricsCharts } from '../charts/MetricsCharts';
import { DataParallelPanel } from '../data-parallel/DataParallelPanel';
import { formatBytes, formatCount, formatPercent } from '../format';
import { ProgressPanel } from '../run/ProgressPanel';
import { useLab } from '../store';
import { ClassEvents } from './ClassEvents';
import { useClass } from './class-store';
import { joinClass, rememberedName, traffic } from './member-class';
import { memberFigures, ownShard, rankFigures } from './roster-figures';

/** Sample ids listed before "and N more". */
const LISTED_IDS = 48;

export function StudentApp({ link, linkError }: { link: SessionLink | null; linkError: string | null }) {
  const member = useClass((s) => s.member);
  const presenter = useLab((s) => s.presenter);
  return (
    <div className={presenter ? 'lab presenter' : 'lab'}>
      <header className="lab-header">
        <h1>WebGPU Training Lab</h1>
        <p>You are joining a class: your browser trains part of the teacher&apos;s run on this computer&apos;s GPU.</p>
      </header>
      <main className="student-main">
        {member === null || (member.state === 'ended' && member.id === null)
          ? <JoinForm link={link} linkError={linkError} />
          : <MemberStatus />}
        {member?.id != null && (
          <>
            <OwnShare />
            <ProgressPanel />
            <MetricsCharts />
            <DataParallelPanel />
          </>
        )}
      </main>
    </div>
  );
}

function JoinForm({ link, linkError }: { link: SessionLink | null; linkError: string | null }) {
  const [name, setName] = useState('');
  const [workers, setWorkers] = useState(1);
  const member = useClass((s) => s.member);
  const joining = member?.state === 'joining';
  // Let in after typing the short code: the name was given already.
  useEffect(() => {
    const remembered = rememberedName();
    if (link && remembered) void joinClass(link, remembered);
  }, [link]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (link && name.trim()) void joinClass(link, name.trim(), workers);
  };
  return (
    <form className="panel student-join" onSubmit={submit} aria-label="Join the class">
      <h2>Join the class</h2>
      {linkError && <p className="hint class-error" role="alert">{linkError}</p>}
      <div className="field">
        <label htmlFor="member-name">Your name</label>
        <input id="member-name" type="text" maxLength={40} autoComplete="nickname" value={name} onChange={(e) => setName(e.target.value)} disabled={joining} />
        <span className="field-help">The teacher and the class see this name beside your part of the run.</span>
      </div>
      <div className="field">
        <label htmlFor="member-workers">Workers</label>
        <input id="member-workers" type="number" min={1} max={LIMITS.workersPerMember} step={1} value={workers} disabled={joining}
          onChange={(e) => setWorkers(Math.min(LIMITS.workersPerMember, Math.max(1, Math.round(Number(e.target.value)) || 1)))} />
        <span className="field-help">Replicas of the run this computer trains, each a worker with its own GPU device (1 to {LIMITS.workersPerMember}).</span>
      </div>
      <button type="submit" className="button primary" disabled={!link || joining || name.trim() === ''}>Join</button>
      {joining && <p className="hint" role="status">Checking WebGPU and joining…</p>}
      {member?.state === 'ended' && member.message && <p className="hint class-error" role="alert" data-testid="member-message">{member.message}</p>}
    </form>
  );
}

function MemberStatus() {
  const member = useClass((s) => s.member)!;
  const rank = useClass((s) => s.memberRank);
  const names = useClass((s) => s.runNames);
  const status = useLab((s) => s.status);
  const ran = useLab((s) => s.runConfig !== null);
  const text = member.state === 'ended' ? member.message
    : !ran ? 'Joined. Waiting for the teacher to press Train.'
      : rank === null ? 'You joined after this run started: you train in the teacher\'s next run.'
        : `You train ${member.workers > 1 ? `replicas ${rank}–${rank + member.workers - 1}` : `replica ${rank}`} of ${names?.length ?? '?'} (${status === 'running' ? 'training' : status}).`;
  return (
    <section className="panel student-status" aria-label="Your place in the class">
      <h2>{member.name}</h2>
      <p role="status" data-testid="member-status">{text}</p>
      <ClassEvents />
    </section>
  );
}

function useTraffic(): { sent: number; received: number } {
  const [now, setNow] = useState({ ...traffic });
  useEffect(() => {
    const timer = setInterval(() => setNow({ ...traffic }), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** This member's part of the run: the samples it trained at the latest step, its share, its traffic. */
function OwnShare() {
  const rank = useClass((s) => s.memberRank);
  const records = useLab((s) => s.records);
  const socket = useTraffic();
  const links = useClass((s) => s.memberLinks);
  const workers = useClass((s) => s.member?.workers ?? 1);
  const shard = rank === null ? null : ownShard(records, rank, workers);
  const share = rank === null ? null : memberFigures(rankFigures(records), rank, workers);
  return (
    <section className="panel own-share" aria-label="Your part of the run" data-testid="own-share">
      <h2>Your part of the run</h2>
      {shard && share ? (
        <>
          <p>
            Step {shard.step} (epoch {shard.epoch}): you trained <strong>{formatCount(share.rows)}</strong> samples of the global batch,{' '}
            <strong data-testid="own-share-percent">{formatPercent(share.share)}</strong> of the work
            {share.samplesPerSec != null && <>, at {formatCount(share.samplesPerSec)} samples/s</>}. This epoch so far: {formatCount(shard.epochSamples)} samples.
          </p>
          <p className="own-ids" data-testid="own-shard-ids" data-ids={JSON.stringify(shard.ids)}>
            Sample ids: {shard.ids.slice(0, LISTED_IDS).join(', ')}{shard.ids.length > LISTED_IDS ? ` and ${shard.ids.length - LISTED_IDS} more` : ''}
          </p>
        </>
      ) : <p className="hint">Your shard shows here once the run's first step is done.</p>}
      {links ? <LinkTraffic links={links} /> : (
        <p data-testid="own-traffic">
          Sent <strong>{formatBytes(socket.sent)}</strong>, received <strong>{formatBytes(socket.received)}</strong> through the class server.
        </p>
      )}
    </section>
  );
}

/** What this member sent and received, link by link: to the teacher (reports, star vectors) and each ring neighbour, direct or relayed. */
function LinkTraffic({ links }: { links: MemberLinks }) {
  const sent = links.teacher.sent + links.peers.reduce((n, p) => n + p.sentDirect + p.sentRelayed, 0);
  const received = links.teacher.received + links.peers.reduce((n, p) => n + p.receivedDirect + p.receivedRelayed, 0);
  return (
    <div data-testid="own-traffic">
      <p>Sent <strong>{formatBytes(sent)}</strong>, received <strong>{formatBytes(received)}</strong> in this class:</p>
      <ul className="own-links">
        <li>the teacher (through the class server): sent {formatBytes(links.teacher.sent)}, received {formatBytes(links.teacher.received)}</li>
        {links.peers.map((p) => (
          <li key={p.peer}>
            {p.name} ({p.via === 'direct' ? 'direct, peer to peer' : p.via === 'relay' ? 'relayed by the class server' : 'connecting'}):
            sent {formatBytes(p.sentDirect + p.sentRelayed)}, received {formatBytes(p.receivedDirect + p.receivedRelayed)}
          </li>
        ))}
      </ul>
    </div>
  );
}
