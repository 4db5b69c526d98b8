// "Download metrics": every record of the run as JSON Lines, the format the CLI prints with --json.
import { toJsonLines } from './run-summary';
import { useLab } from './store';

function downloadMetrics(): void {
  const { records, runConfig } = useLab.getState();
  const blob = new Blob([toJsonLines(records)], { type: 'application/x-ndjson' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = runConfig ? `metrics-${runConfig.dataset}-seed${runConfig.seed}.jsonl` : 'metrics.jsonl';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000); // after the download has read it
}

export function DownloadMetrics() {
  const hasRecords = useLab((s) => s.records.length > 0);
  return (
    <button type="button" className="button link" disabled={!hasRecords} onClick={downloadMetrics}>
      Download metrics
    </button>
  );
}
