// The page's one live alert region: why a link or edit was not applied, why a run stopped, and a warning
// (not a stop) when the loss climbs far above where it started.
import type { WarningRecord } from '../../core/metrics';
import { useLab } from '../store';

export function AlertRegion() {
  const configError = useLab((s) => s.configError);
  const runMessage = useLab((s) => s.runMessage);
  const failed = useLab((s) => s.status === 'error');
  const warning = useLab((s) => s.records.find((r): r is WarningRecord => r.type === 'warning'));
  return (
    <div role="alert" className="alert-region">
      {configError && <p className="alert alert-config">{configError}</p>}
      {warning && <p className="alert alert-warning"><strong>Warning:</strong> {warning.message}</p>}
      {runMessage && (
        <p className="alert alert-run"><strong>{failed ? 'Training failed:' : 'Training stopped:'}</strong> {runMessage}</p>
      )}
    </div>
  );
}
