// The confusion matrix over a whole test set: rows are true classes, columns predictions, headed by the
// classes' names where the set has them; the diagonal (right) shades blue, mistakes red, darker for more
// of the row.
import { useMemo } from 'react';
import type { Split } from '../../core/datasets';
import { formatCount, formatPercent } from '../format';
import { confusionMatrix } from './prediction-stats';
import type { SplitPredictions } from './test-predictions';

interface Props {
  split: Split;
  predictions: SplitPredictions | null;
  /** The name of each class, index = class id (MNIST: the digits). */
  names: readonly string[];
  /** What the test set's samples are called: "digits", "rows". */
  noun: string;
}

export function ConfusionMatrix({ split, predictions, names, noun }: Props) {
  const classes = names.length;
  const ids = useMemo(() => Array.from({ length: classes }, (_, c) => c), [classes]);
  const counts = useMemo(
    () => (predictions ? confusionMatrix(predictions.probs, split.y, split.n, classes) : null),
    [predictions, split, classes],
  );
  if (!counts || !predictions) return <p className="chart-empty dp-empty">Predicting the test set…</p>;
  const right = ids.reduce((s, d) => s + counts[d * classes + d], 0);
  const cell = (t: number, p: number) => {
    const count = counts[t * classes + p];
    const rowTotal = ids.reduce((s, c) => s + counts[t * classes + c], 0);
    const share = rowTotal > 0 ? count / rowTotal : 0;
    const rgb = t === p ? '37, 99, 235' : '220, 38, 38';
    const alpha = count === 0 ? 0 : 0.08 + 0.92 * (t === p ? share : Math.min(1, share * 4));
    return (
      <td key={p} data-testid="confusion-cell" data-row={t} data-col={p} data-count={count}
        title={`true ${names[t]}, predicted ${names[p]}: ${count}`}
        style={{ background: `rgba(${rgb}, ${alpha})`, color: alpha > 0.55 ? '#fff' : undefined }}>
        {count > 0 ? count : ''}
      </td>
    );
  };
  const head = (c: number) => <span className="confusion-name" title={names[c]}>{names[c]}</span>;
  return (
    <figure className="model-card">
      <figcaption>
        Confusion matrix <span className="muted" data-testid="confusion-accuracy" data-value={right / split.n}>
          {formatCount(right)} of {formatCount(split.n)} test {noun} right ({formatPercent(right / split.n, 2)}),
          weights at step {predictions.weights.step}
        </span>
      </figcaption>
      <table className="confusion" data-testid="confusion-matrix" data-final={predictions.weights.final}>
        <thead>
          <tr><th className="confusion-corner">true ↓ predicted →</th>{ids.map((d) => <th key={d} scope="col" data-testid="confusion-class">{head(d)}</th>)}</tr>
        </thead>
        <tbody>
          {ids.map((t) => <tr key={t}><th scope="row">{head(t)}</th>{ids.map((p) => cell(t, p))}</tr>)}
        </tbody>
      </table>
    </figure>
  );
}
