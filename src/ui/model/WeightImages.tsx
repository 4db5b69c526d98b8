// The first layer's weights as 28×28 images, one per unit it feeds (up to 64): what each hidden unit
// (or, without hidden layers, each class) looks for in the digit. Blue negative, red positive.
import { useEffect, useRef, type CSSProperties } from 'react';
import type { LayerSlots } from '../../core/model';
import { DIGIT_SIDE } from './digit-input';
import { divergingColor } from './model-colors';

const MAX_UNITS = 64;

function UnitImage({ layer, params, unit }: { layer: LayerSlots; params: Float32Array; unit: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current!.getContext('2d')!;
    const image = ctx.createImageData(DIGIT_SIDE, DIGIT_SIDE);
    const weight = (i: number) => params[layer.w.offset + i * layer.outputs + unit];
    let range = 0;
    for (let i = 0; i < layer.inputs; i++) range = Math.max(range, Math.abs(weight(i)));
    for (let i = 0; i < layer.inputs; i++) {
      image.data.set([...divergingColor(weight(i), range), 255], 4 * i);
    }
    ctx.putImageData(image, 0, 0);
  }, [layer, params, unit]);
  return <canvas ref={canvas} width={DIGIT_SIDE} height={DIGIT_SIDE} className="pixelated weight-image" data-testid="weight-image" title={`unit ${unit + 1}`} />;
}

export function WeightImages({ layer, params, classes }: { layer: LayerSlots; params: Float32Array; classes: boolean }) {
  const units = Math.min(layer.outputs, MAX_UNITS);
  return (
    <figure className="model-card">
      <figcaption>
        First-layer weights <span className="muted">
          {classes ? 'one image per class' : `${units} of ${layer.outputs} hidden units`}, each scaled to its own largest |w|; blue −, white 0, red +
        </span>
      </figcaption>
      <div className="weight-grid" style={{ '--cell': `${units <= 16 ? 72 : units <= 36 ? 56 : 44}px` } as CSSProperties}>
        {Array.from({ length: units }, (_, u) => (
          <div key={u} className="weight-cell">
            <UnitImage layer={layer} params={params} unit={u} />
            {classes && <span className="weight-label">{u}</span>}
          </div>
        ))}
      </div>
    </figure>
  );
}
