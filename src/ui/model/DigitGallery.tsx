// A gallery of the first test digits with the model's prediction and its probability; wrong ones are
// marked with the true label.
import { useEffect, useRef } from 'react';
import type { Split } from '../../core/datasets';
import { DIGIT_SIDE } from './digit-input';
import { formatPercent } from '../format';
import { argmaxRow } from './prediction-stats';
import type { SplitPredictions } from './test-predictions';

const SHOWN = 40;
const PIXELS = DIGIT_SIDE * DIGIT_SIDE;

function Digit({ split, index }: { split: Split; index: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current!.getContext('2d')!;
    const image = ctx.createImageData(DIGIT_SIDE, DIGIT_SIDE);
    for (let i = 0; i < PIXELS; i++) {
      image.data.fill(255 - Math.round(split.x[index * PIXELS + i] * 255), 4 * i, 4 * i + 3);
      image.data[4 * i + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }, [split, index]);
  return <canvas ref={canvas} width={DIGIT_SIDE} height={DIGIT_SIDE} className="pixelated gallery-digit" />;
}

export function DigitGallery({ split, predictions }: { split: Split; predictions: SplitPredictions | null }) {
  const shown = Math.min(SHOWN, split.n);
  const wrong = predictions
    ? Array.from({ length: shown }, (_, i) => argmaxRow(predictions.probs, i, 10) !== split.y[i]).filter(Boolean).length
    : 0;
  return (
    <figure className="model-card">
      <figcaption>
        Test digits <span className="muted">
          the first {shown} of {split.n}{predictions ? `; ${wrong} wrong, outlined red` : '; predicting…'}
        </span>
      </figcaption>
      <ul className="gallery" data-testid="digit-gallery">
        {Array.from({ length: shown }, (_, i) => {
          const label = split.y[i];
          const predicted = predictions ? argmaxRow(predictions.probs, i, 10) : -1;
          const ok = predicted === label;
          return (
            <li key={i} className={predictions && !ok ? 'gallery-item wrong' : 'gallery-item'} data-testid="gallery-item"
              data-label={label} data-predicted={predictions ? predicted : undefined}
              title={predictions ? `true ${label}, predicted ${predicted}` : `true ${label}`}>
              <Digit split={split} index={i} />
              {predictions && (
                <span className="gallery-caption">
                  <strong>{predicted}</strong> {formatPercent(predictions.probs[i * 10 + predicted], 0)}
                  {!ok && <span className="gallery-truth"> ({label})</span>}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
