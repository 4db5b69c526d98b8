// Draw a digit (mouse, pen or touch) and see the model's class probabilities for it. The drawing is
// downsampled like MNIST (digit-input.ts); one forward pass of one sample is cheap enough for the page.
import { useCallback, useEffect, useRef, useState, type PointerEvent } from 'react';
import type { ModelLayout } from '../../core/model';
import { predictRef } from '../../core/reference';
import { DIGIT_SIDE, toMnistInput } from './digit-input';
import { formatPercent } from '../format';
import { argmaxRow } from './prediction-stats';

const PAD = 224;
const PEN = 18;

function drawInput(canvas: HTMLCanvasElement, input: Float32Array): void {
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(DIGIT_SIDE, DIGIT_SIDE);
  input.forEach((v, i) => {
    image.data.fill(Math.round(v * 255), 4 * i, 4 * i + 3);
    image.data[4 * i + 3] = 255;
  });
  ctx.putImageData(image, 0, 0);
}

export function DrawDigit({ layout, params, untrained }: { layout: ModelLayout; params: Float32Array; untrained: boolean }) {
  const pad = useRef<HTMLCanvasElement>(null);
  const seen = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const frame = useRef(0);
  const [ink, setInk] = useState(false);
  const [probs, setProbs] = useState<Float64Array | null>(null);

  const predict = useCallback(() => {
    frame.current = 0;
    const canvas = pad.current!;
    const rgba = canvas.getContext('2d')!.getImageData(0, 0, PAD, PAD).data;
    const gray = new Float32Array(PAD * PAD);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i] / 255;
    const input = toMnistInput(gray, PAD, PAD);
    drawInput(seen.current!, input);
    setProbs(predictRef(layout, params, input, 1));
  }, [layout, params]);

  const clear = useCallback(() => {
    const ctx = pad.current!.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, PAD, PAD);
    drawInput(seen.current!, new Float32Array(DIGIT_SIDE * DIGIT_SIDE));
    setInk(false);
    setProbs(null);
  }, []);

  useEffect(clear, [clear]);
  useEffect(() => { if (ink) predict(); }, [ink, predict]); // new weights: predict the same drawing again
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const at = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * PAD, y: ((e.clientY - r.top) / r.height) * PAD };
  };
  const stroke = (to: { x: number; y: number }) => {
    const ctx = pad.current!.getContext('2d')!;
    const from = last.current ?? to;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = PEN;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x + (from === to ? 0.01 : 0), to.y);
    ctx.stroke();
    last.current = to;
    setInk(true);
    frame.current ||= requestAnimationFrame(predict);
  };

  const best = probs ? argmaxRow(probs, 0, 10) : -1;
  return (
    <div className="draw-digit">
      <div className="draw-pad">
        <canvas
          ref={pad} width={PAD} height={PAD} className="draw-canvas" role="img" aria-label="Digit drawing pad (mouse, pen or touch)"
          onPointerDown={(e) => { e.currentTarget.setPointerCapture(e.pointerId); last.current = null; stroke(at(e)); }}
          onPointerMove={(e) => { if (e.buttons & 1 || e.pointerType === 'touch') if (last.current) stroke(at(e)); }}
          onPointerUp={() => { last.current = null; }}
          onPointerCancel={() => { last.current = null; }}
        />
        <div className="draw-side">
          <button type="button" className="button" onClick={clear} disabled={!ink}>Clear</button>
          <figure className="draw-seen">
            <canvas ref={seen} width={DIGIT_SIDE} height={DIGIT_SIDE} className="pixelated" aria-label="What the model sees (28×28)" />
            <figcaption>model input, 28×28</figcaption>
          </figure>
        </div>
      </div>
      <div className="draw-result">
        <p className="draw-prediction" data-testid="digit-prediction" data-value={best >= 0 ? best : undefined}>
          {probs ? <>Prediction <strong>{best}</strong> ({formatPercent(probs[best])})</> : 'Draw a digit with the mouse or a finger.'}
          {untrained && <span className="muted"> · untrained (initial) weights</span>}
        </p>
        <ol className="prob-bars" aria-label="Class probabilities" data-testid="digit-probs">
          {Array.from({ length: 10 }, (_, d) => {
            const p = probs ? probs[d] : 0;
            return (
              <li key={d} data-prob={probs ? p : undefined} className={d === best ? 'best' : undefined}>
                <span className="prob-label">{d}</span>
                <span className="prob-track"><span className="prob-fill" style={{ width: `${p * 100}%` }} /></span>
                <span className="prob-value">{probs ? formatPercent(p) : '—'}</span>
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}
