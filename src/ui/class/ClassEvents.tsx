// The class's events on both pages: who joined, left or was removed, and at which step of the run.
import { useClass } from './class-store';

export function ClassEvents() {
  const events = useClass((s) => s.events);
  if (events.length === 0) return null;
  return (
    <div className="class-events">
      <h3>Events</h3>
      <ol data-testid="class-events">
        {events.map((e) => (
          <li key={`${e.at}-${e.text}`}>{e.step === null ? '' : `step ${e.step}: `}{e.text}</li>
        ))}
      </ol>
    </div>
  );
}
