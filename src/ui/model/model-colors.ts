// Colours of the model views: a diverging map for weights (blue negative, white zero, red positive) and
// one colour per class, taken from the replica palette so the page keeps one set of hues.
import { replicaColor } from '../data-parallel/replica-colors';

export type Rgb = [number, number, number];

const NEGATIVE: Rgb = [37, 99, 235];
const POSITIVE: Rgb = [220, 38, 38];

export function hexToRgb(hex: string): Rgb {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

export const classColor = (label: number): string => replicaColor(label);

/** value / range clamped to [−1, 1], mixed from white towards blue (negative) or red (positive). */
export function divergingColor(value: number, range: number): Rgb {
  const t = range > 0 ? Math.max(-1, Math.min(1, value / range)) : 0;
  const end = t < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(t);
  return [0, 1, 2].map((i) => Math.round(255 + (end[i] - 255) * a)) as Rgb;
}

/** The class colours weighted by probability, then mixed with white by (1 − strength) for a light heatmap. */
export function blendClasses(probs: ArrayLike<number>, offset: number, colors: Rgb[], strength: number): Rgb {
  const out: Rgb = [0, 0, 0];
  for (let c = 0; c < colors.length; c++) {
    for (let i = 0; i < 3; i++) out[i] += probs[offset + c] * colors[c][i];
  }
  return out.map((v) => Math.round(255 + (v - 255) * strength)) as Rgb;
}
