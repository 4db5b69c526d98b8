// Train / Pause / Step / Reset / Share / Start a class. Train starts a run with the current settings or resumes
// a paused one; Step takes one more step and pauses; Share copies the page's link (hidden by hide=share); Start
// a class (only on a page a class server served) opens a class whose members are the next runs' replicas.
import { Suspense, useState } from 'react';
import { useHidden } from '../share/hidden';
import { pause, reset, step, train } from './run-controller';
import { SharePanel } from '../share/SharePanel';
import { useClass } from '../class/class-store';
import { CodeJoin, openClass } from '../class/on-demand';
import { isActive, useLab } from '../store';

export function RunControls() {
  const status = useLab((s) => s.status);
  const gpuState = useLab((s) => s.gpu.state);
  const shareHidden = useHidden('share');
  const [sharing, setSharing] = useState(0);
  const [codeJoin, setCodeJoin] = useState(false);
  const classServer = useClass((s) => s.available === true);
  // A class's members train on their own GPUs: the teacher's page needs none.
  const teaching = useClass((s) => s.teacher !== null);

  return (
    <div className="run-controls">
      <div className="button-row" role="group" aria-label="Run controls">
        <button type="button" className="button primary" disabled={(gpuState !== 'available' && !teaching) || status === 'running'} onClick={train}
          title={status === 'paused' ? 'Resume the paused run' : 'Start a run with these settings'}>
          Train
        </button>
        <button type="button" className="button" disabled={status !== 'running'} onClick={pause} title="Hold the run after the current step">Pause</button>
        <button type="button" className="button" disabled={!isActive(status)} onClick={step} title="One more step, then paused">Step</button>
        <button type="button" className="button" disabled={status === 'idle'} onClick={reset} title="End the run and clear its metrics">Reset</button>
        {!shareHidden && (
          <button type="button" className="button" onClick={() => setSharing((n) => n + 1)} title="Copy a link that reproduces this run">Share</button>
        )}
        {classServer && !teaching && (
          <button type="button" className="button" onClick={() => void openClass()} disabled={isActive(status)}
            title="Open a class: students join with a link or QR code and train this run's replicas on their own GPUs">
            Start a class
          </button>
        )}
        {classServer && !teaching && (
          <button type="button" className="button" aria-expanded={codeJoin} onClick={() => setCodeJoin(!codeJoin)} title="Join a class with the code the teacher shows">
            Join with a code
          </button>
        )}
      </div>
      {gpuState === 'checking' && <p className="hint">Checking WebGPU…</p>}
      {gpuState === 'unavailable' && !teaching && <p className="hint">Training needs WebGPU: see the note above.</p>}
      {!shareHidden && sharing > 0 && <SharePanel request={sharing} />}
      {codeJoin && !teaching && <Suspense><CodeJoin /></Suspense>}
    </div>
  );
}
