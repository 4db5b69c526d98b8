// The class's events on both pages: who joined, left or was removed from the class, and the run's
// membership records (who left or entered the run, at which step, and the world after).
import { useMemo } from 'react';
import { useLab } from '../store';
import { useClass } from './class-store';

export function ClassEvents() {
  const events = useClass((s) => s.events);
  const records = useLab((s) => s.records);
  const changes = useMemo(() => records.filter((r) => r.type === 'membership'), [records]);
  if (events.length === 0 && changes.length === 0) return null;
  return (
    <div className="class-events">
      <h3>Events</h3>
      {changes.length > 0 && (
        <ol data-testid="membership-events">
          {changes.map((r, i) => (
            <li key={i} data-change={r.change} data-name={r.name}>step {r.step}: {r.message}</li>
          ))}
        </ol>
      )}
      {events.length > 0 && (
        <ol data-testid="class-events">
          {events.map((e) => (
            <li key={`${e.at}-${e.text}`}>{e.step === null ? '' : `step ${e.step}: `}{e.text}</li>
          ))}
        </ol>
      )}
    </div>
  );
}
