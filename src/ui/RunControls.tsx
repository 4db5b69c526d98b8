// Train / Pause / Reset. Train starts a run with the current settings, or resumes a paused one.
import { pause, reset, train } from './run-controller';
import { useLab } from './store';

export function RunControls() {
  const status = useLab((s) => s.status);
  const gpuState = useLab((s) => s.gpu.state);

  return (
    <div className="run-controls">
      <div className="button-row">
        <button type="button" className="button primary" disabled={gpuState !== 'available' || status === 'running'} onClick={train}
          title={status === 'paused' ? 'Resume the paused run' : 'Start a run with these settings'}>
          Train
        </button>
        <button type="button" className="button" disabled={status !== 'running'} onClick={pause}>Pause</button>
        <button type="button" className="button" disabled={status === 'idle'} onClick={reset}>Reset</button>
      </div>
      {gpuState === 'checking' && <p className="hint">Checking WebGPU…</p>}
      {gpuState === 'unavailable' && <p className="hint">Training needs WebGPU: see the note above.</p>}
    </div>
  );
}
