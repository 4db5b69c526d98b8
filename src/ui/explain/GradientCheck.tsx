// The gradient check panel: backprop against central finite differences (float64 reference) for a few
// parameters of the current model on a few training samples, run in small slices so the page stays live.
import { useCallback, useEffect, useState } from 'react';
import type { RunConfig } from '../../core/config';
import type { Dataset } from '../../core/datasets';
import { initParams, type ModelLayout } from '../../core/model';
import { gatherRef } from '../../core/reference';
import { CHECK_STEP, gradientCheck, type CheckRow } from './gradient-check';
import { currentWeights } from '../run/run-controller';
import { useTrainingSet } from '../data/training-set';

const SAMPLES = 8;
const PARAMS = 8;
const PASS = 1e-6;

interface Result {
  rows: CheckRow[];
  weights: string;
}

const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function runCheck(layout: ModelLayout, config: RunConfig, dataset: Dataset): Promise<Result> {
  const snapshot = await currentWeights();
  const usable = snapshot && snapshot.params.length === layout.totalFloats ? snapshot : null;
  const weights = usable?.params ?? initParams(layout, config.seed);
  const { train } = dataset;
  const indices = Array.from({ length: Math.min(SAMPLES, train.n) }, (_, i) => Math.floor((i * train.n) / SAMPLES));
  const batch = gatherRef(train.x, train.y, dataset.inputs, indices);
  const rows = await gradientCheck(layout, weights, batch.x, batch.y, indices.length, PARAMS, yieldToPage);
  return { rows, weights: usable ? `weights at step ${usable.step}` : `initial weights (seed ${config.seed})` };
}

function CheckJob({ layout, config, onDone }: { layout: ModelLayout; config: RunConfig; onDone: (r: Result | string) => void }) {
  const set = useTrainingSet(config.dataset, config.seed);
  useEffect(() => {
    if (set.state === 'error') onDone(set.message);
    if (set.state !== 'ready') return;
    void runCheck(layout, config, set.dataset).then(onDone, (e: unknown) => onDone(e instanceof Error ? e.message : String(e)));
  }, [set, layout, config, onDone]);
  return <p className="hint" role="status">Checking…</p>;
}

const sci = (v: number) => v.toExponential(3);

export function GradientCheck({ layout, config }: { layout: ModelLayout; config: RunConfig }) {
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<Result | string | null>(null);
  const done = useCallback((r: Result | string) => { setResult(r); setRunning(false); }, []);
  const worst = result && typeof result !== 'string' ? Math.max(...result.rows.map((r) => r.relError)) : null;
  return (
    <section className="panel gradcheck" aria-label="Gradient check panel" data-testid="gradcheck">
      <div className="gradcheck-head">
        <h2>Gradient check</h2>
        <button type="button" className="button" disabled={running} onClick={() => { setResult(null); setRunning(true); }}>
          Gradient check
        </button>
        <span className="dp-note">
          Backprop vs. central differences (h = {CHECK_STEP.toExponential()}) of the mean loss on {SAMPLES} training samples, float64, for {PARAMS} parameters
          across every W and b. Relative errors under {PASS.toExponential()} mean the backward pass is right.
        </span>
      </div>
      {running && (
        <CheckJob layout={layout} config={config} onDone={done} />
      )}
      {typeof result === 'string' && <p className="alert">{result}</p>}
      {result && typeof result !== 'string' && worst !== null && (
        <>
          <p className="gradcheck-summary" data-testid="gradcheck-summary" data-value={worst}>
            <strong className={worst < PASS ? 'pass' : 'fail'}>{worst < PASS ? 'Pass' : 'Check'}</strong>: largest relative error {sci(worst)}, {result.weights}.
          </p>
          <table className="dp-table gradcheck-table">
            <thead>
              <tr><th>parameter</th><th>backprop</th><th>finite difference</th><th>relative error</th></tr>
            </thead>
            <tbody>
              {result.rows.map((r) => (
                <tr key={r.offset} data-testid="gradcheck-row" data-rel-error={r.relError}>
                  <th><code>{r.label}</code></th>
                  <td>{sci(r.analytic)}</td>
                  <td>{sci(r.numeric)}</td>
                  <td className={r.relError < PASS ? 'pass' : 'fail'}>{sci(r.relError)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
