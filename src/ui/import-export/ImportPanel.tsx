// Bring your own: start the next run from weights the lab exported (TensorFlow.js ZIP, or model.json and
// its .bin), to continue training or fine-tune; and train on your own CSV (its label column, decimal mark,
// and how named classes became ids). Locked while a run is active; hidden by hide=import.
import { useState } from 'react';
import './import.css';
import type { DatasetName } from '../../core/config';
import { classNamesNote, datasetShape } from '../../core/datasets';
import { forgetCsv, importCsv, localSet } from '../data/csv-import';
import { useTrainingSet } from '../data/training-set';
import { useHidden } from '../share/hidden';
import { clearImportedWeights, importWeights, useImportedWeights } from './imported-weights';
import { isActive, useLab } from '../store';

/** How the imported set's named classes became ids (from the set itself), or nothing for ids. */
function ClassNamesNote({ dataset, seed }: { dataset: DatasetName; seed: number }) {
  const set = useTrainingSet(dataset, seed);
  const names = set.state === 'ready' ? set.dataset.classNames : undefined;
  return names ? <span data-testid="csv-class-names">; {classNamesNote(names)}</span> : null;
}

const DECIMAL_MARKS = [
  { value: '', label: 'auto' },
  { value: '.', label: 'point (1.5)' },
  { value: ',', label: 'comma (1,5)' },
] as const;
type DecimalChoice = (typeof DECIMAL_MARKS)[number]['value'];

export function ImportPanel() {
  const locked = useLab((s) => isActive(s.status));
  const config = useLab((s) => s.config);
  const weights = useImportedWeights((s) => s.weights);
  const [message, setMessage] = useState('');
  const [labelColumn, setLabelColumn] = useState('');
  const [decimal, setDecimal] = useState<DecimalChoice>('');
  const csv = localSet(config.dataset);
  const hidden = useHidden('import');

  const pickCsv = (file: File | undefined) => {
    if (!file) return;
    setMessage(`Reading ${file.name}…`);
    importCsv(file, labelColumn, decimal || undefined).then(() => setMessage(''), (e: unknown) => setMessage(e instanceof Error ? e.message : String(e)));
  };

  const pickWeights = (files: FileList | null) => {
    if (!files?.length) return;
    setMessage('Reading…');
    importWeights([...files]).then((w) => {
      const { config: current, setConfig } = useLab.getState();
      const shape = datasetShape(current.dataset);
      const [inputs, ...rest] = w.sizes;
      const classes = rest[rest.length - 1];
      if (inputs !== shape.inputs || classes !== shape.classes) {
        setMessage(`These weights take ${inputs} inputs to ${classes} classes; this data set has ${shape.inputs} and ${shape.classes}: pick a data set of that shape.`);
        return;
      }
      // The network takes the imported shape, so the next run starts from these weights.
      setConfig({ ...current, layers: rest.slice(0, -1) });
      setMessage('');
    }, (e: unknown) => setMessage(e instanceof Error ? e.message : String(e)));
  };

  if (hidden) return null;
  const shape = datasetShape(config.dataset);
  const fits = weights && weights.sizes.join() === [shape.inputs, ...config.layers, shape.classes].join();
  return (
    <section className="import-panel" aria-label="Import">
      <h2>Import</h2>
      <fieldset disabled={locked}>
        <label className="button small file-button">
          Start from weights…
          <input type="file" multiple accept=".zip,.json,.bin" aria-label="Start from exported weights (TensorFlow.js ZIP, or model.json and its .bin)"
            onChange={(e) => { pickWeights(e.target.files); e.target.value = ''; }} />
        </label>
        {weights && (
          <p className="hint" data-testid="imported-weights">
            {fits
              ? `The next run starts from ${weights.source} (${weights.sizes.join('-')}) with fresh optimizer state. A share link does not carry these weights.`
              : `Imported ${weights.source} (${weights.sizes.join('-')}) does not fit these settings; the next run starts from the seeded weights.`}
            {' '}
            <button type="button" className="button link" onClick={clearImportedWeights}>Forget them</button>
          </p>
        )}
        <div className="csv-import">
          <label className="button small file-button">
            Your data (CSV)…
            <input type="file" accept=".csv,text/csv" aria-label="Train on your own CSV data"
              onChange={(e) => { pickCsv(e.target.files?.[0]); e.target.value = ''; }} />
          </label>
          <label className="label-column">
            Label column
            <input type="text" value={labelColumn} placeholder="last" size={6} spellCheck={false}
              onChange={(e) => setLabelColumn(e.target.value)} aria-describedby="csv-help" />
          </label>
          <label className="label-column">
            Decimal mark
            <select value={decimal} onChange={(e) => setDecimal(e.target.value as DecimalChoice)} aria-describedby="csv-help">
              {DECIMAL_MARKS.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
            </select>
          </label>
        </div>
        <p id="csv-help" className="hint">
          Numeric feature columns and a label column of class ids 0, 1, … or of class names (numbered in the order they first appear);
          header optional; fields separated by commas, semicolons or tabs; at most 50 MB. Every tenth row is held out for testing.
          The decimal mark is a point where commas separate fields, else the file&apos;s; choose it where the file says otherwise.
        </p>
        {csv && (
          <p className="hint" data-testid="csv-dataset">
            Training on {config.dataset} from {csv.file}: {csv.train} training and {csv.test} test rows, {csv.inputs} features, {csv.classes} classes
            <ClassNamesNote dataset={config.dataset} seed={config.seed} />.
            {' '}The data stays in this browser: a share link only names the set, and whoever opens it imports the same CSV.
            {' '}
            <button type="button" className="button link" onClick={() => void forgetCsv(config.dataset as `csv:${string}`).catch(
              (e: unknown) => setMessage(e instanceof Error ? e.message : String(e)))}>
              Forget this data set
            </button>
          </p>
        )}
      </fieldset>
      <p className="hint" role="status" data-testid="import-status">{message}</p>
    </section>
  );
}
