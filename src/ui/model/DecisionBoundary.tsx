// The decision boundary of a 2-D model: class colours blended by probability over a 96×96 grid
// (computed in the prediction worker), under the training points; follows the weights as it trains.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DatasetName } from '../../core/config';
import { classLabels, type Split } from '../../core/datasets';
import type { ModelLayout } from '../../core/model';
import { GRID, gridInputs, viewAround, type View } from './boundary-grid';
import { blendClasses, classColor, hexToRgb } from './model-colors';
import type { RunWeights } from './model-weights';
import { predictLatest } from './predict-client';
import { useTrainingSet } from '../data/training-set';

const SIDE = 384;
const STRENGTH = 0.55;

function paint(canvas: HTMLCanvasElement, view: View, split: Split, classes: number, probs: Float32Array | null): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, SIDE, SIDE);
  if (probs) {
    const colors = Array.from({ length: classes }, (_, c) => hexToRgb(classColor(c)));
    const grid = new OffscreenCanvas(GRID, GRID);
    const g = grid.getContext('2d')!;
    const image = g.createImageData(GRID, GRID);
    for (let i = 0; i < GRID * GRID; i++) image.data.set([...blendClasses(probs, i * classes, colors, STRENGTH), 255], 4 * i);
    g.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(grid, 0, 0, SIDE, SIDE);
  }
  for (let i = 0; i < split.n; i++) {
    const px = ((split.x[2 * i] - view.x0) / view.size) * SIDE;
    const py = SIDE - ((split.x[2 * i + 1] - view.y0) / view.size) * SIDE;
    ctx.beginPath();
    ctx.arc(px, py, 2.6, 0, 2 * Math.PI);
    ctx.fillStyle = classColor(split.y[i]);
    ctx.fill();
    ctx.lineWidth = 0.8;
    ctx.strokeStyle = '#fff';
    ctx.stroke();
  }
}

interface Props {
  layout: ModelLayout;
  weights: RunWeights | null;
  dataset: DatasetName;
  seed: number;
}

export function DecisionBoundary({ layout, weights, dataset, seed }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const set = useTrainingSet(dataset, seed);
  const split = set.state === 'ready' ? set.dataset.train : null;
  const names = set.state === 'ready' && set.dataset.classNames ? classLabels(set.dataset) : null;
  const classes = layout.sizes[layout.sizes.length - 1];
  const view = useMemo(() => (split ? viewAround(split.x, split.n) : null), [split]);
  const inputs = useMemo(() => (view ? gridInputs(view) : null), [view]);
  const [shown, setShown] = useState<{ weights: RunWeights; probs: Float32Array } | null>(null);

  useEffect(() => {
    if (!weights || !inputs) return;
    let live = true;
    void predictLatest('boundary', { sizes: layout.sizes, params: weights.params, x: inputs, n: GRID * GRID }).then((probs) => {
      if (live && probs) setShown({ weights, probs });
    });
    return () => { live = false; };
  }, [layout, weights, inputs]);

  const probs = weights && shown ? shown.probs : null;
  useEffect(() => {
    if (view && split) paint(canvas.current!, view, split, classes, probs);
  }, [view, split, classes, probs]);

  return (
    <figure className="model-card boundary">
      <figcaption>
        Decision boundary <span className="muted">
          {probs && shown ? `${GRID}×${GRID} grid, weights at step ${shown.weights.step}` : 'training points; train to see the boundary'}
        </span>
      </figcaption>
      {set.state === 'error' && <p className="alert">{set.message}</p>}
      <canvas ref={canvas} width={SIDE} height={SIDE} className="boundary-canvas" role="img"
        aria-label="Decision boundary and training points" data-testid="boundary-canvas"
        data-step={probs && shown ? shown.weights.step : undefined} />
      <ul className="replica-legend">
        {Array.from({ length: classes }, (_, c) => (
          <li key={c}><span className="swatch" style={{ background: classColor(c) }} />{names ? names[c] : `class ${c}`}</li>
        ))}
      </ul>
    </figure>
  );
}
