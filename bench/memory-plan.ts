// Prints each pipeline stage's planned activation bytes (core/part-memory.ts) with recompute 0 and 1 for a
// preset's config: the in-flight training activations, and every activation buffer with the evaluation slot.
// npx tsx bench/memory-plan.ts [preset]   (default recompute-pipeline)
import { datasetShape } from '../src/core/datasets';
import { bytesByKind } from '../src/core/memory-plan';
import { layerSizes, modelLayout } from '../src/core/model';
import { modelParallelPlan } from '../src/core/model-parallel';
import { partBuffers, partMemoryOf, trainingActivationBytes } from '../src/core/part-memory';
import { findPreset } from '../src/core/presets';
import { formatBytes } from '../src/ui/format';

const name = process.argv[2] ?? 'recompute-pipeline';
const preset = findPreset(name);
if (!preset || preset.config.mode !== 'pipeline') throw new Error(`${name}: not a pipeline preset`);
const shape = datasetShape(preset.config.dataset);
const EVAL_ROWS = 512;
console.log(`${name}: layers ${layerSizes(preset.config, shape.inputs, shape.classes).join('-')}, batch ${preset.config.batch}, `
  + `${preset.config.microbatches} micro-batches, ${preset.config.schedule}`);
console.log('stage | slots | rows | in flight, recompute=0 | recompute=1 | all activation buffers (eval slot of 512 rows too), 0 | 1');
const { config } = preset;
const plan = modelParallelPlan(config, modelLayout(layerSizes(config, shape.inputs, shape.classes)));
const sizes = { shareRows: Math.ceil(config.batch / config.replicas), evalRows: EVAL_ROWS, trainSamples: 0, testSamples: 0 };
plan.workers.forEach(({ layout }, stage) => {
  const [off, on] = [0, 1].map((recompute) => partMemoryOf({ ...config, recompute }, { layout, stage, stages: plan.workers.length }, sizes));
  const all = (m: typeof off) => bytesByKind(partBuffers(m)).activations;
  console.log(`${stage} | ${off.slots} | ${off.rows} | ${formatBytes(trainingActivationBytes(off))} | ${formatBytes(trainingActivationBytes(on))} | ${formatBytes(all(off))} | ${formatBytes(all(on))}`);
});
