// The page's one live alert region: why a link or edit was not applied, and why a run stopped.
import { useLab } from './store';

export function AlertRegion() {
  const configError = useLab((s) => s.configError);
  const runMessage = useLab((s) => s.runMessage);
  const failed = useLab((s) => s.status === 'error');
  return (
    <div role="alert" className="alert-region">
      {configError && <p className="alert alert-config">{configError}</p>}
      {runMessage && (
        <p className="alert alert-run"><strong>{failed ? 'Training failed:' : 'Training stopped:'}</strong> {runMessage}</p>
      )}
    </div>
  );
}
