// The run's downloads: metrics as JSON Lines (the CLI's --json records) and as CSV, the worker timeline
// as a Chrome trace, the model for TensorFlow.js and the run for PyTorch DDP (each a ZIP). Hidden by
// hide=downloads. The code that builds them loads when one is asked for: a first visit needs none of it.
import { useState } from 'react';
import type { RunConfig } from '../../core/config';
import { useHidden } from '../share/hidden';
import { toJsonLines } from '../run/run-summary';
import { useLab } from '../store';

const metricExports = () => import('./exports');
const modelExports = () => import('./model-exports');

function save(name: string, data: string | Uint8Array<ArrayBuffer>, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000); // after the download has read it
}

const baseName = (c: RunConfig | null) => (c ? `${c.dataset}-seed${c.seed}` : 'run');

const DOWNLOADS = [
  { label: 'JSON Lines', name: 'Download metrics as JSON Lines', file: (b: string) => `metrics-${b}.jsonl`, type: 'application/x-ndjson',
    build: async () => toJsonLines(useLab.getState().records) },
  { label: 'CSV', name: 'Download metrics as CSV', file: (b: string) => `metrics-${b}.csv`, type: 'text/csv',
    build: async () => (await metricExports()).toCsv(useLab.getState().records) },
  { label: 'Chrome trace', name: 'Download the worker timeline as a Chrome trace', file: (b: string) => `trace-${b}.json`, type: 'application/json',
    build: async () => { const { records, runConfig, config } = useLab.getState(); return JSON.stringify((await metricExports()).toChromeTrace(records, runConfig ?? config)); } },
] as const;

const ZIP = 'application/zip';

export function Downloads() {
  const hasRecords = useLab((s) => s.records.length > 0);
  const runConfig = useLab((s) => s.runConfig);
  const [message, setMessage] = useState('');
  if (useHidden('downloads')) return null;
  const archive = (file: string, build: () => Promise<Uint8Array<ArrayBuffer>>) => {
    setMessage('Preparing…');
    build().then((zip) => { save(file, zip, ZIP); setMessage(''); }, (e: unknown) => setMessage(e instanceof Error ? e.message : String(e)));
  };
  // The DDP folder describes a run before it trains: the form's settings until a run starts.
  const ddpConfig = () => useLab.getState().runConfig ?? useLab.getState().config;
  return (
    <div className="downloads" role="group" aria-label="Downloads">
      <span className="muted">Download</span>
      {DOWNLOADS.map((d) => (
        <button key={d.label} type="button" className="button link" aria-label={d.name} title={d.name} disabled={!hasRecords}
          onClick={() => void d.build().then((data) => save(d.file(baseName(runConfig)), data, d.type))}>
          {d.label}
        </button>
      ))}
      <button type="button" className="button link" aria-label="Download the trained model for TensorFlow.js (ZIP)"
        title="model.json and its weights, for tf.loadLayersModel" disabled={!hasRecords || !runConfig}
        onClick={() => archive(`${baseName(runConfig)}-tfjs.zip`, async () => (await modelExports()).tfjsArchive(runConfig!))}>
        TensorFlow.js
      </button>
      <button type="button" className="button link" aria-label="Download this run as a PyTorch DDP folder (ZIP)"
        title="train_ddp.py, the data, the per-rank sample order and the initial weights, for torchrun"
        onClick={() => archive(`${baseName(ddpConfig())}-pytorch-ddp.zip`, async () => (await modelExports()).ddpArchive(ddpConfig()))}>
        PyTorch DDP
      </button>
      <span className="hint" role="status">{message}</span>
    </div>
  );
}
