// Canvas drawing of the shard map: MNIST thumbnails tinted in the colour of the replica that trained
// on them (dimmed when none did), or the 2-D training points coloured by replica (grey when unused);
// samples repeated to pad the epoch (droplast=0) are hatched with a dashed frame, or ringed.
import type { Split } from '../../core/datasets';
import { MNIST_PIXELS } from '../../core/datasets';
import { PADDING_COLOR, replicaColor, UNUSED_COLOR } from './replica-colors';
import type { ShardWindow } from './parallel-data';

const SIDE = 28;
/** A thumbnail, its 1 px frame, and 1 px of white on each side. */
const PITCH = SIDE + 4;
/** The epoch view shows this many samples, evenly spaced over the training set. */
export const EPOCH_SAMPLES = 400;
/** The step view shows at most this many of the batch's samples. */
const STEP_SAMPLES = 400;

export interface Cell {
  id: number;
  /** The replica that trained on this sample in the shards, or null. */
  rank: number | null;
  /** Trained (again) as a repeat that pads the epoch. */
  padded: boolean;
}

/**
 * Step: the batch's samples replica by replica, its repeats (padding) always among those shown. Epoch:
 * evenly spaced samples of the whole set.
 */
export function thumbnailCells(shards: ShardWindow, trainSize: number): Cell[] {
  if (shards.mode === 'step') {
    const perRank = Math.ceil(STEP_SAMPLES / shards.byRank.length);
    return shards.byRank.flatMap((ids, rank) => {
      const repeats = ids.filter((id) => shards.paddedIds.has(id));
      const shown = [...ids.filter((id) => !shards.paddedIds.has(id)).slice(0, perRank - repeats.length), ...repeats];
      return shown.map((id) => ({ id, rank, padded: shards.paddedIds.has(id) }));
    });
  }
  const count = Math.min(EPOCH_SAMPLES, trainSize);
  return Array.from({ length: count }, (_, i) => {
    const id = Math.floor((i * trainSize) / count);
    return { id, rank: shards.owner.get(id) ?? null, padded: shards.paddedIds.has(id) };
  });
}

type Rgb = [number, number, number];

function rgb(hex: string): Rgb {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
const WHITE: Rgb = [255, 255, 255];
const PADDING_MARK = rgb(PADDING_COLOR);

/** Each canvas's last thumbnails: a redraw repaints only the cells that changed (a few per refresh while training). */
const lastDrawn = new WeakMap<HTMLCanvasElement, { cells: readonly Cell[]; train: Split; image: ImageData }>();

const sameCell = (a: Cell | undefined, b: Cell) => a !== undefined && a.id === b.id && a.rank === b.rank && a.padded === b.padded;

/** Sizes the canvas to a near-square grid for `cells` and draws each 28×28 digit. */
export function drawThumbnails(canvas: HTMLCanvasElement, cells: readonly Cell[], train: Split): void {
  const cols = Math.max(1, Math.ceil(Math.sqrt(cells.length)));
  const rows = Math.max(1, Math.ceil(cells.length / cols));
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const last = lastDrawn.get(canvas);
  const reuse = last && last.train === train && last.cells.length === cells.length
    && last.image.width === cols * PITCH && canvas.width === cols * PITCH && canvas.height === rows * PITCH;
  if (!reuse) {
    canvas.width = cols * PITCH;
    canvas.height = rows * PITCH;
  }
  const image = reuse ? last.image : ctx.createImageData(canvas.width, canvas.height);
  const { data, width } = image;
  if (!reuse) data.fill(255);
  lastDrawn.set(canvas, { cells, train, image });
  // A cell sets 900 pixels: no DOM reads and no arrays per pixel.
  const put = (x: number, y: number, c: Rgb) => {
    const o = (y * width + x) * 4;
    data[o] = c[0];
    data[o + 1] = c[1];
    data[o + 2] = c[2];
  };
  cells.forEach((cell, i) => {
    if (reuse && sameCell(last.cells[i], cell)) return;
    const x0 = (i % cols) * PITCH + 1;
    const y0 = Math.floor(i / cols) * PITCH + 1;
    const color = cell.rank === null ? null : rgb(replicaColor(cell.rank));
    const frame = color ?? rgb('#eceff3');
    const paper = color ? mix(WHITE, color, 0.1) : rgb('#f7f8fa');
    const ink = color ? mix(color, [0, 0, 0], 0.15) : rgb('#b8c0cc');
    // A repeat: a dashed dark frame and diagonal hatching behind the digit.
    const hatch = mix(paper, PADDING_MARK, 0.45);
    for (let y = 0; y < SIDE + 2; y++) {
      for (let x = 0; x < SIDE + 2; x++) {
        const inside = x > 0 && y > 0 && x <= SIDE && y <= SIDE;
        const dash = cell.padded && (x + y) % 4 < 2;
        if (!inside) {
          put(x0 + x, y0 + y, dash ? PADDING_MARK : frame);
          continue;
        }
        const v = cell.id < train.n ? train.x[cell.id * MNIST_PIXELS + (y - 1) * SIDE + (x - 1)] : 0;
        const base = cell.padded && (x + y) % 4 === 0 ? hatch : paper;
        const o = ((y0 + y) * width + x0 + x) * 4;
        // mix(base, ink, v), channel by channel.
        data[o] = base[0] + (ink[0] - base[0]) * v;
        data[o + 1] = base[1] + (ink[1] - base[1]) * v;
        data[o + 2] = base[2] + (ink[2] - base[2]) * v;
      }
    }
  });
  ctx.putImageData(image, 0, 0);
}

const POINTS_SIZE = 480;

/**
 * The 2-D training points on an equal-aspect frame; used points on top, in their replica's colour. Rows
 * with more features (an imported CSV set) are drawn by their first two.
 */
export function drawPoints(canvas: HTMLCanvasElement, shards: ShardWindow, train: Split): void {
  canvas.width = POINTS_SIZE;
  canvas.height = POINTS_SIZE;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const d = train.x.length / train.n;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < train.n; i++) {
    for (const v of [train.x[d * i], train.x[d * i + 1]]) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  const pad = 14;
  const scale = (POINTS_SIZE - 2 * pad) / (max - min || 1);
  const px = (i: number) => pad + (train.x[d * i] - min) * scale;
  const py = (i: number) => POINTS_SIZE - pad - (train.x[d * i + 1] - min) * scale;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, POINTS_SIZE, POINTS_SIZE);
  ctx.fillStyle = UNUSED_COLOR;
  for (let i = 0; i < train.n; i++) {
    if (shards.owner.has(i)) continue;
    ctx.beginPath();
    ctx.arc(px(i), py(i), 3, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#ffffff';
  for (const [i, rank] of shards.owner) {
    if (i >= train.n) continue;
    ctx.fillStyle = replicaColor(rank);
    ctx.beginPath();
    ctx.arc(px(i), py(i), 4.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ctx.lineWidth = 2;
  ctx.strokeStyle = PADDING_COLOR;
  for (const i of shards.paddedIds) {
    if (i >= train.n) continue;
    ctx.beginPath();
    ctx.arc(px(i), py(i), 7.5, 0, 2 * Math.PI);
    ctx.stroke();
  }
}
