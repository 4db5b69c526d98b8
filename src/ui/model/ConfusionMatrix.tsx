// The confusion matrix over the whole test set: rows are true digits, columns predictions; the
// diagonal (right) shades blue, mistakes red, darker for more of the row.
import { useMemo } from 'react';
import type { Split } from '../../core/datasets';
import { formatCount, formatPercent } from '../format';
import { confusionMatrix } from './prediction-stats';
import type { SplitPredictions } from './test-predictions';

const CLASSES = 10;
const DIGITS = Array.from({ length: CLASSES }, (_, d) => d);

export function ConfusionMatrix({ split, predictions }: { split: Split; predictions: SplitPredictions | null }) {
  const counts = useMemo(
    () => (predictions ? confusionMatrix(predictions.probs, split.y, split.n, CLASSES) : null),
    [predictions, split],
  );
  if (!counts || !predictions) return <p className="chart-empty dp-empty">Predicting the test set…</p>;
  const right = DIGITS.reduce((s, d) => s + counts[d * CLASSES + d], 0);
  const cell = (t: number, p: number) => {
    const count = counts[t * CLASSES + p];
    const rowTotal = DIGITS.reduce((s, c) => s + counts[t * CLASSES + c], 0);
    const share = rowTotal > 0 ? count / rowTotal : 0;
    const rgb = t === p ? '37, 99, 235' : '220, 38, 38';
    const alpha = count === 0 ? 0 : 0.08 + 0.92 * (t === p ? share : Math.min(1, share * 4));
    return (
      <td key={p} data-testid="confusion-cell" data-row={t} data-col={p} data-count={count}
        style={{ background: `rgba(${rgb}, ${alpha})`, color: alpha > 0.55 ? '#fff' : undefined }}>
        {count > 0 ? count : ''}
      </td>
    );
  };
  return (
    <figure className="model-card">
      <figcaption>
        Confusion matrix <span className="muted" data-testid="confusion-accuracy" data-value={right / split.n}>
          {formatCount(right)} of {formatCount(split.n)} test digits right ({formatPercent(right / split.n, 2)}),
          weights at step {predictions.weights.step}
        </span>
      </figcaption>
      <table className="confusion" data-testid="confusion-matrix" data-final={predictions.weights.final}>
        <thead>
          <tr><th className="confusion-corner">true ↓ predicted →</th>{DIGITS.map((d) => <th key={d} scope="col">{d}</th>)}</tr>
        </thead>
        <tbody>
          {DIGITS.map((t) => <tr key={t}><th scope="row">{t}</th>{DIGITS.map((p) => cell(t, p))}</tr>)}
        </tbody>
      </table>
    </figure>
  );
}
