// The grid of a 2-D decision boundary: a square view around the data and the inputs at its cell centres.
export const GRID = 96;

export interface View {
  x0: number;
  y0: number;
  size: number;
}

/** A square around all points (x [n, 2]) with a 10% margin. */
export function viewAround(x: ArrayLike<number>, n: number): View {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, x[2 * i]); maxX = Math.max(maxX, x[2 * i]);
    minY = Math.min(minY, x[2 * i + 1]); maxY = Math.max(maxY, x[2 * i + 1]);
  }
  const size = Math.max(maxX - minX, maxY - minY, 1e-6) * 1.2;
  return { x0: (minX + maxX) / 2 - size / 2, y0: (minY + maxY) / 2 - size / 2, size };
}

/** Inputs [GRID², 2] at the cell centres, row 0 at the top (largest y). */
export function gridInputs(view: View): Float32Array {
  const x = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      x[2 * (r * GRID + c)] = view.x0 + ((c + 0.5) / GRID) * view.size;
      x[2 * (r * GRID + c) + 1] = view.y0 + view.size - ((r + 0.5) / GRID) * view.size;
    }
  }
  return x;
}
