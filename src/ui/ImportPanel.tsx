// Bring your own: start the next run from weights the lab exported (TensorFlow.js ZIP, or model.json and
// its .bin), to continue training or fine-tune. Locked while a run is active.
import { useState } from 'react';
import './import.css';
import { datasetShape } from '../core/datasets';
import { clearImportedWeights, importWeights, useImportedWeights } from './imported-weights';
import { isActive, useLab } from './store';

export function ImportPanel() {
  const locked = useLab((s) => isActive(s.status));
  const config = useLab((s) => s.config);
  const weights = useImportedWeights((s) => s.weights);
  const [message, setMessage] = useState('');

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
      </fieldset>
      <p className="hint" role="status">{message}</p>
    </section>
  );
}
