// The first rows of an imported set's test split with the model's prediction and its probability, by
// class name; wrong ones marked, with the true class beside.
import type { Split } from '../../core/datasets';
import { formatPercent } from '../format';
import { argmaxRow } from './prediction-stats';
import type { SplitPredictions } from './test-predictions';

const SHOWN = 20;

export function TestRows({ split, predictions, names }: { split: Split; predictions: SplitPredictions | null; names: readonly string[] }) {
  const classes = names.length;
  const shown = Math.min(SHOWN, split.n);
  const predicted = (i: number) => (predictions ? argmaxRow(predictions.probs, i, classes) : -1);
  const wrong = predictions ? Array.from({ length: shown }, (_, i) => predicted(i) !== split.y[i]).filter(Boolean).length : 0;
  return (
    <figure className="model-card">
      <figcaption>
        Test predictions <span className="muted">
          the first {shown} of {split.n} test rows{predictions ? `; ${wrong} wrong, in red; weights at step ${predictions.weights.step}` : '; predicting…'}
        </span>
      </figcaption>
      <table className="test-rows" data-testid="test-predictions">
        <thead><tr><th scope="col">test row</th><th scope="col">true class</th><th scope="col">predicted</th><th scope="col">probability</th></tr></thead>
        <tbody>
          {Array.from({ length: shown }, (_, i) => {
            const p = predicted(i);
            return (
              <tr key={i} className={predictions && p !== split.y[i] ? 'wrong' : undefined} data-testid="test-prediction"
                data-label={split.y[i]} data-predicted={predictions ? p : undefined}>
                <td>{i + 1}</td>
                <td>{names[split.y[i]]}</td>
                <td>{predictions ? names[p] : '…'}</td>
                <td>{predictions ? formatPercent(predictions.probs[i * classes + p], 0) : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </figure>
  );
}
