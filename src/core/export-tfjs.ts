// A trained model in TensorFlow.js Layers format: model.json (a Keras Sequential of Dense layers, relu
// then softmax, Keras layer names) and one little-endian float32 weight file; and the way back in.
import { ExportError, float32Bytes, float32Values, type ExportFile } from './export-files';
import { packParams, type ModelLayout } from './model';

export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'group1-shard1of1.bin';

/** Keras names its Dense layers dense, dense_1, dense_2, … */
export const kerasLayerName = (l: number) => (l === 0 ? 'dense' : `dense_${l}`);

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

function denseConfig(layout: ModelLayout, l: number) {
  const layer = layout.layers[l];
  return {
    class_name: 'Dense',
    config: {
      name: kerasLayerName(l),
      trainable: true,
      ...(l === 0 ? { batch_input_shape: [null, layer.inputs] } : {}),
      dtype: 'float32',
      units: layer.outputs,
      activation: layer.relu ? 'relu' : 'softmax',
      use_bias: true,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
  };
}

function weightSpecs(layout: ModelLayout): WeightSpec[] {
  return layout.layers.flatMap((layer, l) => [
    // The lab stores W as [inputs, outputs] row-major, which is Keras's kernel layout.
    { name: `${kerasLayerName(l)}/kernel`, shape: [layer.inputs, layer.outputs], dtype: 'float32' as const },
    { name: `${kerasLayerName(l)}/bias`, shape: [layer.outputs], dtype: 'float32' as const },
  ]);
}

/**
 * model.json and its weight file for the flat parameters `params` of `layout`. A set's class names go in
 * the model's user-defined metadata (`model.getUserDefinedMetadata().classNames` in tfjs): output c is
 * classNames[c].
 */
export function tfjsExport(layout: ModelLayout, params: Float32Array, classNames?: readonly string[]): ExportFile[] {
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'WebGPU Training Lab',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'sequential', layers: layout.layers.map((_, l) => denseConfig(layout, l)) },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: weightSpecs(layout) }],
    ...(classNames ? { userDefinedMetadata: { classNames } } : {}),
  };
  return [
    { path: TFJS_MODEL_FILE, bytes: new TextEncoder().encode(`${JSON.stringify(modelJson, null, 1)}\n`) },
    { path: TFJS_WEIGHTS_FILE, bytes: float32Bytes(packParams(layout, params)) },
  ];
}

/**
 * Reads weights exported by tfjsExport back into the flat layout of `layout` (to continue training or
 * fine-tune). `readFile` gives the bytes of a file the manifest names. Refuses a model of another shape.
 */
export async function tfjsImport(
  layout: ModelLayout, modelJsonText: string, readFile: (path: string) => Promise<Uint8Array>,
): Promise<Float32Array> {
  let manifest: { paths: string[]; weights: WeightSpec[] }[];
  try {
    manifest = (JSON.parse(modelJsonText) as { weightsManifest: typeof manifest }).weightsManifest;
    if (!Array.isArray(manifest)) throw new Error('no weightsManifest');
  } catch (e) {
    throw new ExportError(`${TFJS_MODEL_FILE}: not a TensorFlow.js Layers model (${e instanceof Error ? e.message : String(e)})`);
  }
  const specs = manifest.flatMap((g) => g.weights);
  const chunks = await Promise.all(manifest.flatMap((g) => g.paths.map(readFile)));
  const data = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  chunks.reduce((at, c) => { data.set(c, at); return at + c.length; }, 0);
  const expected = weightSpecs(layout);
  const shapeText = (s: WeightSpec[]) => s.map((w) => `${w.name} [${w.shape.join(', ')}]`).join(', ');
  if (specs.length !== expected.length || specs.some((s, i) => s.dtype !== 'float32' || s.shape.join() !== expected[i].shape.join())) {
    throw new ExportError(`the model's weights (${shapeText(specs)}) do not fit this run's network (${shapeText(expected)}): set its layers and data set first`);
  }
  if (data.length !== layout.parameterCount * 4) {
    throw new ExportError(`the weight files hold ${data.length} bytes; this network needs ${layout.parameterCount * 4}`);
  }
  const packed = float32Values(data);
  const params = new Float32Array(layout.totalFloats);
  let at = 0;
  for (const layer of layout.layers) {
    for (const t of [layer.w, layer.b]) {
      params.set(packed.subarray(at, at + t.size), t.offset);
      at += t.size;
    }
  }
  return params;
}
