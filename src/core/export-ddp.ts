// A run as a folder for PyTorch DDP: train_ddp.py (the code view's PyTorch script), the data set, the
// exact per-rank sample order of every step, the initial weights, and a README. Little-endian throughout.
import { DDP_FILES, pytorchCode, SPEED_BALANCE_NOTE } from './codegen';
import { memoryReadme } from './codegen-torch';
import { serializeConfig, type RunConfig } from './config';
import { DATA_MAGIC, encodeDataFile, ORDER_MAGIC } from './data-file';
import type { Dataset } from './datasets';
import { float32Bytes, withHeader, type ExportFile } from './export-files';
import { layerSizes, modelLayout, packParams } from './model';
import { epochPlan, shardSpec } from './sharding';

/** The sample ids of each rank at each step of each epoch, from the plan the lab's trainers take them from. */
export function rankOrder(config: RunConfig, labels: Uint8Array): { steps: number; ids: (epoch: number, step: number, rank: number) => Uint32Array } {
  const plans = Array.from({ length: config.epochs }, (_, e) => epochPlan(shardSpec(config), e + 1, labels));
  return { steps: plans[0].steps, ids: (e, s, k) => plans[e - 1].rankBatch(s, k) };
}

const uint32Bytes = (values: ArrayLike<number>) => {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setUint32(i * 4, values[i], true);
  return bytes;
};

export function orderFile(config: RunConfig, labels: Uint8Array): Uint8Array {
  const { steps, ids } = rankOrder(config, labels);
  const counts: number[] = [];
  const all: Uint32Array[] = [];
  for (let e = 1; e <= config.epochs; e++) {
    for (let s = 0; s < steps; s++) {
      for (let k = 0; k < config.replicas; k++) {
        const batch = ids(e, s, k);
        counts.push(batch.length);
        all.push(batch);
      }
    }
  }
  return withHeader(ORDER_MAGIC, [1, config.epochs, steps, config.replicas], [uint32Bytes(counts), ...all.map(uint32Bytes)]);
}

/** The README's list of named classes: output (and label) c is the c-th name. */
function classList(names: readonly string[] | undefined): string[] {
  if (!names) return [];
  return [
    '',
    'The data set\'s labels were names; the lab numbered them in order of first appearance, and output c of the',
    'network is class c:',
    '',
    ...names.map((name, c) => `${c}. ${JSON.stringify(name)}`),
  ];
}

function readme(config: RunConfig, link: string, classNames: readonly string[] | undefined): string {
  const n = config.replicas;
  return [
    '# This run on PyTorch DDP',
    '',
    `Exported by the WebGPU Training Lab from the run \`#${link}\`.`,
    `\`${DDP_FILES.script}\` trains the same network from the same initial weights with the same optimizer`,
    'update, and gives each rank the same samples in the same order as the lab did, so its per-step losses',
    'match the lab\'s up to float32 rounding. Rank 0 prints the lab CLI\'s JSON Lines records.',
    ...memoryReadme(config),
    ...(config.balance === 'speed' ? ['', ...SPEED_BALANCE_NOTE] : []),
    ...classList(classNames),
    '',
    'Needs Python 3 with PyTorch (1.13 or newer) and NumPy. On CPU the ranks talk over gloo; with CUDA, nccl.',
    '',
    '```sh',
    `torchrun --nproc_per_node=${n} ${DDP_FILES.script}`,
    '```',
    '',
    'or start each rank yourself (e.g. where `torchrun` is missing or broken):',
    '',
    '```sh',
    ...Array.from({ length: n }, (_, k) => `RANK=${k} WORLD_SIZE=${n} MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 python3 ${DDP_FILES.script}${k < n - 1 ? ' &' : ''}`),
    '```',
    '',
    'Files:',
    '',
    `- \`${DDP_FILES.script}\`: the script (the same code as the lab's PyTorch code view for this run).`,
    `- \`${DDP_FILES.data}\`: "${DATA_MAGIC}", then uint32 version, train rows, test rows, inputs, classes, x encoding`,
    '  (0 float32, 1 uint8 / 255); then train x, train labels (uint8), test x, test labels; in version 2, then the',
    '  class names: uint32 byte length, then a UTF-8 JSON array of strings.',
    `- \`${DDP_FILES.order}\`: "${ORDER_MAGIC}", then uint32 version, epochs, steps per epoch, ranks; the row count of`,
    '  every (epoch, step, rank), then their sample ids (uint32), in that order.',
    `- \`${DDP_FILES.weights}\`: the initial weights, float32, per layer W [inputs, outputs] row-major then b.`,
    '',
    'All numbers are little-endian.',
    '',
  ].join('\n');
}

/** The DDP folder for a run that starts from `initial` (flat layout: the seeded weights or imported ones). */
export function ddpExport(config: RunConfig, dataset: Dataset, initial: Float32Array): ExportFile[] {
  const link = serializeConfig(config);
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  const text = (s: string) => new TextEncoder().encode(s);
  return [
    { path: DDP_FILES.script, bytes: text(pytorchCode(config)) },
    { path: DDP_FILES.data, bytes: encodeDataFile(dataset) },
    { path: DDP_FILES.order, bytes: orderFile(config, dataset.train.y) },
    { path: DDP_FILES.weights, bytes: float32Bytes(packParams(layout, initial)) },
    { path: DDP_FILES.readme, bytes: text(readme(config, link, dataset.classNames)) },
  ];
}
