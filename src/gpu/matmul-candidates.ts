// The matmul kernels the lab chooses among (config key `kernel`), as WGSL sources with their grids:
// 'blocked' (matmul.wgsl, or matmul_vec4.wgsl where the form's operands are vec4-aligned) and the
// workgroup-tiled matmul_tiled.wgsl at four tile shapes. All sum k in order with the same multiply-adds:
// the same bits, so the choice is only about speed (src/gpu/kernel-tuning.ts measures it).
import operands from '../../shaders/matmul_operands.wgsl?raw';
import head from '../../shaders/matmul_params.wgsl?raw';
import store from '../../shaders/matmul_store.wgsl?raw';
import tiledBody from '../../shaders/matmul_tiled.wgsl?raw';
import scalarBody from '../../shaders/matmul.wgsl?raw';
import vec4Body from '../../shaders/matmul_vec4.wgsl?raw';
import type { MatmulKernel } from '../core/config';

/** Outputs per workgroup (tileM × tileN), k per staged tile, outputs per thread (threadM × threadN). */
interface TileShape {
  tileM: number;
  tileN: number;
  tileK: number;
  threadM: number;
  threadN: number;
}

/**
 * tile64-4: 256 threads of 4×4 (the most threads in flight); tile64-8: 64 threads of 8×8; tile128x64-8:
 * 128 threads of 8×8 on tall products; tile128-8: 256 threads of 8×8 (the most reuse per load). tileK
 * keeps both staged tiles within the 16 KiB of workgroup memory every adapter offers.
 */
const TILES: Record<Exclude<MatmulKernel, 'blocked'>, TileShape> = {
  'tile64-4': { tileM: 64, tileN: 64, tileK: 16, threadM: 4, threadN: 4 },
  'tile64-8': { tileM: 64, tileN: 64, tileK: 16, threadM: 8, threadN: 8 },
  'tile128x64-8': { tileM: 128, tileN: 64, tileK: 16, threadM: 8, threadN: 8 },
  'tile128-8': { tileM: 128, tileN: 128, tileK: 8, threadM: 8, threadN: 8 },
};

/** Where a form's operands can be read as vec4 by matmul_vec4.wgsl (see its header). */
export interface MatmulForm {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
}

/** True when matmul_vec4.wgsl can read this form's operands as vec4 (see its header). */
export function vec4Aligned({ M, N, K, transA, transB }: MatmulForm): boolean {
  if (transA && transB) return false;
  if (transA) return M % 4 === 0 && N % 4 === 0;
  if (transB) return K % 4 === 0;
  return K % 4 === 0 && N % 4 === 0;
}

/** A shader program: 'scalar' and 'vec4' are the two programs of the 'blocked' kernel. */
export type MatmulProgram = 'scalar' | 'vec4' | Exclude<MatmulKernel, 'blocked'>;

/** The program a kernel runs for a form. */
export function programFor(kernel: MatmulKernel, form: MatmulForm): MatmulProgram {
  if (kernel !== 'blocked') return kernel;
  return vec4Aligned(form) ? 'vec4' : 'scalar';
}

const tileConstants = (t: TileShape) => [
  `const TILE_M = ${t.tileM}u;`, `const TILE_N = ${t.tileN}u;`, `const TILE_K = ${t.tileK}u;`,
  `const THREAD_M = ${t.threadM}u;`, `const THREAD_N = ${t.threadN}u;`,
].join('\n');

/** The program's WGSL, epilogues (matmul_store.wgsl) included. */
export function programSource(program: MatmulProgram): string {
  if (program === 'vec4') return `${head}\n${vec4Body}\n${store}`;
  if (program === 'scalar') return `${head}\n${operands}\n${scalarBody}\n${store}`;
  return `${tileConstants(TILES[program])}\n${head}\n${operands}\n${tiledBody}\n${store}`;
}

/** Workgroups covering C [M, N]: the blocked kernels' 8×8 threads cover 32×32 outputs. */
export function programGrid(program: MatmulProgram, { M, N }: MatmulForm): [number, number] {
  const [tileM, tileN] = program === 'scalar' || program === 'vec4' ? [32, 32] : [TILES[program].tileM, TILES[program].tileN];
  return [Math.ceil(N / tileN), Math.ceil(M / tileM)];
}
