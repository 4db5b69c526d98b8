// The run's downloads: metrics as JSON Lines (the CLI's --json records) and as CSV, and the worker
// timeline as a Chrome trace. Hidden by hide=downloads.
import type { RunConfig } from '../core/config';
import { toChromeTrace, toCsv } from './exports';
import { useHidden } from './hidden';
import { toJsonLines } from './run-summary';
import { useLab } from './store';

function save(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000); // after the download has read it
}

const baseName = (c: RunConfig | null) => (c ? `${c.dataset}-seed${c.seed}` : 'run');

const DOWNLOADS = [
  { label: 'JSON Lines', name: 'Download metrics as JSON Lines', file: (b: string) => `metrics-${b}.jsonl`, type: 'application/x-ndjson',
    build: () => toJsonLines(useLab.getState().records) },
  { label: 'CSV', name: 'Download metrics as CSV', file: (b: string) => `metrics-${b}.csv`, type: 'text/csv',
    build: () => toCsv(useLab.getState().records) },
  { label: 'Chrome trace', name: 'Download the worker timeline as a Chrome trace', file: (b: string) => `trace-${b}.json`, type: 'application/json',
    build: () => { const { records, runConfig, config } = useLab.getState(); return JSON.stringify(toChromeTrace(records, runConfig ?? config)); } },
] as const;

export function Downloads() {
  const hasRecords = useLab((s) => s.records.length > 0);
  const runConfig = useLab((s) => s.runConfig);
  if (useHidden('downloads')) return null;
  return (
    <div className="downloads" role="group" aria-label="Downloads">
      <span className="muted">Download</span>
      {DOWNLOADS.map((d) => (
        <button key={d.label} type="button" className="button link" aria-label={d.name} title={d.name} disabled={!hasRecords}
          onClick={() => save(d.file(baseName(runConfig)), d.build(), d.type)}>
          {d.label}
        </button>
      ))}
    </div>
  );
}
