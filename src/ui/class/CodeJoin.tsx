// Join with a code, on a lab page a class server served: the student types the teacher's short code and a
// name, and waits for the teacher to let them in; let in, the page reopens at the join link it was handed
// and joins with that name.
import { useState, type FormEvent } from 'react';
import { connectBrowser, pageServer } from '../../class/browser-connect';
import { sessionLink } from '../../class/session-link';
import { rememberName } from './member-class';

type Knock = { state: 'form' } | { state: 'waiting' } | { state: 'refused'; message: string };

export function CodeJoin() {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [knock, setKnock] = useState<Knock>({ state: 'form' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setKnock({ state: 'waiting' });
    try {
      const { connection } = await connectBrowser(pageServer(), { t: 'knock', code: code.trim(), name: name.trim() });
      const why = await connection.ended;
      const admitted = connection.admitted;
      if (!admitted) return setKnock({ state: 'refused', message: why });
      rememberName(name.trim());
      window.location.replace(sessionLink('join', pageServer(), admitted.session, admitted.joinKey));
      window.location.reload();
    } catch (err) {
      setKnock({ state: 'refused', message: err instanceof Error ? err.message : String(err) });
    }
  };
  const waiting = knock.state === 'waiting';
  return (
    <form className="code-join" onSubmit={(e) => void submit(e)} aria-label="Join a class with a code">
      <div className="field">
        <label htmlFor="class-code">Class code</label>
        <input id="class-code" type="text" maxLength={16} autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} disabled={waiting} />
      </div>
      <div className="field">
        <label htmlFor="code-name">Your name</label>
        <input id="code-name" type="text" maxLength={40} autoComplete="nickname" value={name} onChange={(e) => setName(e.target.value)} disabled={waiting} />
      </div>
      <button type="submit" className="button primary" disabled={waiting || code.trim() === '' || name.trim() === ''}>Ask to join</button>
      {waiting && <p className="hint" role="status">Waiting for the teacher to let you in…</p>}
      {knock.state === 'refused' && <p className="hint class-error" role="alert">{knock.message}</p>}
    </form>
  );
}
