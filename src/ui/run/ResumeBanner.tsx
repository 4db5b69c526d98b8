// Offers to resume a run that this browser saved (after a reload, a crashed tab or a stopped run)
// from its saved step — with the form's learning rate and epochs, so a diverged run can go on gently.
import { useEffect, useState } from 'react';
import { clearSavedRun, loadSavedRun, type SavedRun } from './saved-run';
import { resumeSaved } from './run-controller';
import { isActive, useLab } from '../store';

export function ResumeBanner() {
  const [saved, setSaved] = useState<SavedRun | null>(null);
  const status = useLab((s) => s.status);
  // Look again whenever a run ends: a stopped run keeps its last saved state to resume from.
  useEffect(() => {
    if (!isActive(status)) loadSavedRun().then(setSaved, () => setSaved(null));
  }, [status]);
  if (!saved || isActive(status)) return null;
  const { config, state } = saved;
  return (
    <div className="panel resume-banner" role="region" aria-label="Saved run">
      <p>
        A run of <strong>{config.dataset}</strong> ({config.layers.join('-') || 'no hidden layer'}, {config.optimizer}, batch {config.batch},
        {' '}{config.replicas} replica{config.replicas > 1 ? 's' : ''}) was saved in this browser at step {state.step}.
      </p>
      <button type="button" className="button primary" onClick={() => { setSaved(null); resumeSaved(saved); }}>
        Resume from step {state.step}
      </button>
      <button type="button" className="button" onClick={() => { setSaved(null); void clearSavedRun(); }}>Discard</button>
    </div>
  );
}
