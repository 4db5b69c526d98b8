// The MLP: layer sizes, the flat parameter layout with its offset table, and seeded initialisation.
// Each tensor starts on a 64-float boundary so GPU kernels can bind it at a 256-byte aligned offset;
// the padding stays zero. Layer l has W [in, out] (row-major) then b [out].
import type { RunConfig } from './config';
import { createRng, Stream } from './rng';

export const TENSOR_ALIGN_FLOATS = 64;

export interface TensorSlot {
  name: string;
  /** Offset in floats into the flat buffer. */
  offset: number;
  /** Number of floats. */
  size: number;
  shape: number[];
}

export interface LayerSlots {
  inputs: number;
  outputs: number;
  w: TensorSlot;
  b: TensorSlot;
  /** Hidden layers apply ReLU; the last layer feeds softmax. */
  relu: boolean;
}

export interface ModelLayout {
  /** [inputs, hidden..., classes] */
  sizes: number[];
  layers: LayerSlots[];
  /** Floats in the flat buffer, padding included. */
  totalFloats: number;
  /** Real parameters, padding excluded. */
  parameterCount: number;
}

const align = (n: number) => Math.ceil(n / TENSOR_ALIGN_FLOATS) * TENSOR_ALIGN_FLOATS;

export function layerSizes(config: Pick<RunConfig, 'layers'>, inputs: number, classes: number): number[] {
  return [inputs, ...config.layers, classes];
}

/** One dense layer's shape: W [inputs, outputs], b [outputs], ReLU after it or not. */
export interface LayerShape {
  inputs: number;
  outputs: number;
  relu: boolean;
}

/** The MLP [inputs, hidden..., classes]: ReLU after every layer but the last. */
export function modelLayout(sizes: number[]): ModelLayout {
  return layoutOfLayers(sizes.slice(1).map((outputs, l) => ({ inputs: sizes[l], outputs, relu: l + 2 < sizes.length })));
}

/**
 * The flat layout of any run of dense layers: a whole model, a pipeline stage's layers, or a
 * tensor-parallel worker's slices. Tensors are named by their position in this run (W1, b1, …).
 */
export function layoutOfLayers(shapes: LayerShape[]): ModelLayout {
  let offset = 0;
  const slot = (name: string, shape: number[]): TensorSlot => {
    const size = shape.reduce((a, b) => a * b, 1);
    const s = { name, offset, size, shape };
    offset += align(size);
    return s;
  };
  const layers: LayerSlots[] = shapes.map(({ inputs, outputs, relu }, l) => ({
    inputs, outputs, relu,
    w: slot(`W${l + 1}`, [inputs, outputs]),
    b: slot(`b${l + 1}`, [outputs]),
  }));
  const sizes = shapes.length ? [shapes[0].inputs, ...shapes.map((s) => s.outputs)] : [];
  const parameterCount = layers.reduce((s, l) => s + l.w.size + l.b.size, 0);
  return { sizes, layers, totalFloats: offset, parameterCount };
}

/**
 * He-uniform for layers followed by ReLU, Glorot-uniform for the output layer, zero biases;
 * drawn in layer order from the run seed.
 */
export function initParams(layout: ModelLayout, seed: number): Float32Array {
  const params = new Float32Array(layout.totalFloats);
  const rng = createRng(seed, Stream.init);
  for (const layer of layout.layers) {
    const limit = layer.relu
      ? Math.sqrt(6 / layer.inputs)
      : Math.sqrt(6 / (layer.inputs + layer.outputs));
    for (let i = 0; i < layer.w.size; i++) params[layer.w.offset + i] = (rng.float() * 2 - 1) * limit;
  }
  return params;
}

/** The parameters without padding, in layer order W1, b1, W2, b2, … (the export and checksum order). */
export function packParams(layout: ModelLayout, flat: Float32Array): Float32Array {
  const out = new Float32Array(layout.parameterCount);
  let at = 0;
  for (const layer of layout.layers) {
    for (const t of [layer.w, layer.b]) {
      out.set(flat.subarray(t.offset, t.offset + t.size), at);
      at += t.size;
    }
  }
  return out;
}
