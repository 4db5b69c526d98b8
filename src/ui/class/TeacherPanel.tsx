// The teacher's class: the join link (copy it, or show its QR code on the projector), the short code,
// the roster (name, adapter, workers, speed, traffic, last heard, status; Remove) and the class's events.
import { useEffect, useState } from 'react';
import { formatBytes } from '../format';
import { useLab } from '../store';
import { ClassEvents } from './ClassEvents';
import { useClass, type RosterEntry } from './class-store';
import { QrCode } from './QrCode';
import { memberFigures, rankFigures } from './roster-figures';
import { answerKnock, endClass, removeMember } from './teacher-class';

/** Re-renders every second, for "last heard … ago". */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function TeacherPanel() {
  const teacher = useClass((s) => s.teacher);
  const error = useClass((s) => s.teacherError);
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  if (!teacher) return error ? <p className="hint class-error" role="alert">{error}</p> : null;
  const copy = () => navigator.clipboard.writeText(teacher.joinLink).then(() => setCopied('copied'), () => setCopied('failed'));
  return (
    <section className="panel class-panel" aria-label="Class" data-testid="class-panel">
      <header className="class-header">
        <h2>Class</h2>
        <button type="button" className="button small" onClick={endClass} title="Let every member go; the links stop working">End class</button>
      </header>
      <div className="class-join">
        <div className="class-link">
          <label htmlFor="class-join-link">Join link</label>
          <div className="class-link-row">
            <input id="class-join-link" type="text" readOnly value={teacher.joinLink} onFocus={(e) => e.target.select()} />
            <button type="button" className="button small" onClick={() => void copy()}>Copy</button>
          </div>
          <p className="hint" role="status">
            {copied === 'copied' ? 'Copied. ' : copied === 'failed' ? 'Select the link and copy it (no clipboard access). ' : ''}
            Students open it (or scan the code) and train as this run&apos;s replicas on their own GPUs. Train uses everyone present,
            one replica each, with the settings on the left.
          </p>
          {teacher.shortCode && (
            <p className="class-code">
              Or open <strong>{new URL(teacher.joinLink).origin}</strong>, press <em>Join with a code</em> and type{' '}
              <strong className="short-code" data-testid="class-short-code">{teacher.shortCode}</strong>: you let each one in by name.
            </p>
          )}
        </div>
        <QrCode text={teacher.joinLink} label="QR code of the join link" />
      </div>
      <Knocks />
      <Roster />
      <ClassEvents />
    </section>
  );
}

function Roster() {
  const roster = useClass((s) => s.roster);
  const runIds = useClass((s) => s.runIds);
  const records = useLab((s) => s.records);
  const now = useNow();
  const figures = rankFigures(records);
  const present = roster.filter((m) => m.status === 'present').length;
  /** A member with several workers holds consecutive ranks. */
  const ranksOf = (id: number) => (runIds ?? []).flatMap((r, rank) => (r === id ? [rank] : []));
  const statusOf = (m: RosterEntry, held: number[]) =>
    m.status !== 'present' ? `${m.status}${m.why ? ` (${m.why})` : ''}`
      : held.length > 1 ? `replicas ${held[0]}–${held.at(-1)!} of the run` : held.length === 1 ? `replica ${held[0]} of the run` : runIds ? 'waiting for the next run' : 'ready';
  return (
    <div className="class-roster">
      <h3>Roster <span className="muted">({present} present)</span></h3>
      {roster.length === 0 ? <p className="hint">No one has joined yet.</p> : (
        <table className="roster-table" data-testid="class-roster">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Adapter</th><th scope="col">Workers</th><th scope="col">Samples/s</th>
              <th scope="col">Sent</th><th scope="col">Received</th><th scope="col" title="Its links to its ring neighbours: direct (WebRTC) or relayed by the class server">Links</th>
              <th scope="col">Last heard</th><th scope="col">Status</th><th scope="col" /></tr>
          </thead>
          <tbody>
            {roster.map((m) => {
              const held = ranksOf(m.id);
              const speed = held.length > 0 ? memberFigures(figures, held[0], held.length)?.samplesPerSec : null;
              return (
                <tr key={m.id} data-member={m.name} className={m.status === 'present' ? '' : 'gone'}>
                  <th scope="row">{m.name}</th>
                  <td>{m.adapter ?? '…'}</td>
                  <td>{m.workers ?? '…'}</td>
                  <td>{speed == null ? '–' : Math.round(speed).toLocaleString()}</td>
                  <td>{formatBytes(m.sent)}</td>
                  <td>{formatBytes(m.received)}</td>
                  <td>{m.direct + m.relayed === 0 ? '–' : [m.direct && `${m.direct} direct`, m.relayed && `${m.relayed} relayed`].filter(Boolean).join(', ')}</td>
                  <td>{m.status === 'present' ? `${Math.max(0, Math.round((now - m.lastHeard) / 1000))} s ago` : '–'}</td>
                  <td>{statusOf(m, held)}</td>
                  <td>{m.status === 'present' && (
                    <button type="button" className="button small" onClick={() => removeMember(m.id)} aria-label={`Remove ${m.name}`}>Remove</button>
                  )}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Students who typed the short code: the code is no key, so each waits here until the teacher lets it in. */
function Knocks() {
  const knocks = useClass((s) => s.knocks);
  if (knocks.length === 0) return null;
  return (
    <div className="class-knocks" data-testid="class-knocks">
      <h3>Asking to join with the code</h3>
      <ul>
        {knocks.map((k) => (
          <li key={k.knock}>
            <strong>{k.name}</strong>{' '}
            <button type="button" className="button small" onClick={() => answerKnock(k.knock, true)} aria-label={`Let ${k.name} in`}>Let in</button>{' '}
            <button type="button" className="button small" onClick={() => answerKnock(k.knock, false)} aria-label={`Turn ${k.name} away`}>Turn away</button>
          </li>
        ))}
      </ul>
    </div>
  );
}
