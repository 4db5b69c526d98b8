// `npm run train`: the lab's trainer headless in Node on Dawn. A progress bar and summary on a terminal,
// JSON Lines with --json. Exit codes: 0 done, 1 training stopped or failed, 2 bad flags or config.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, serializeConfig, type RunConfig } from '../core/config';
import { ShardError } from '../core/sharding';
import { startRun } from '../parallel/start-run';
import { classConfig, joinClass, teachClass } from './class-run';
import { nodeMemberHost } from './node-replicas';
import { loadDataset, type Dataset } from '../core/datasets';
import { ddpExport } from '../core/export-ddp';
import { tfjsExport } from '../core/export-tfjs';
import { initParams, layerSizes, modelLayout } from '../core/model';
import type { MetricRecord, StoppedRecord } from '../core/metrics';
import { requestNodeDevice } from '../gpu/dawn';
import { setKernelCache } from '../gpu/kernel-cache';
import { fileKernelCache } from '../gpu/kernel-cache-file';
import { runClock, runTraining, type TrainingState } from '../gpu/train-run';
import { parseArgs, resumedConfig, USAGE, UsageError, type CliOptions } from './args';
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { csvSummary, keepCsvDataset, readDataAsset } from './csv-data';
import { importedStart, writeExport } from './export';
import { prepareMnist } from './prepare-data';
import { ProgressPrinter } from './progress';

function fail(code: number, message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) fail(2, e.message);
    throw e;
  }
  if (options.help) {
    console.log(USAGE);
    process.exit(0);
  }
  setKernelCache(fileKernelCache());
  if (options.join) await joinClass(options.join);
  const { json } = options;
  let config = options.config;
  let resumeFrom: TrainingState | undefined;
  try {
    if (options.resume) {
      const saved = await loadCheckpoint(options.resume);
      config = resumedConfig(saved.config, options.sets);
      resumeFrom = saved.state;
    }
    if (options.teach) config = classConfig(config, options.teach.members, Boolean(options.resume));
  } catch (e) {
    fail(2, e instanceof Error ? e.message : String(e));
  }
  if (config.dataset === 'mnist') prepareMnist();
  if (options.csv) {
    keepCsvDataset(options.csv);
    process.stderr.write(`${csvSummary(options.csv)}\n`);
  }
  const dataset = await loadDataset(config.dataset, config.seed, readDataAsset);
  const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
  try {
    if (options.initWeights) resumeFrom = await importedStart(options.initWeights, config, dataset);
    if (options.exportDdp) {
      const bytes = writeExport(options.exportDdp, ddpExport(config, dataset, resumeFrom?.params ?? initParams(layout, config.seed)));
      process.stderr.write(`PyTorch DDP export (${bytes} bytes) in ${options.exportDdp}\n`);
    }
  } catch (e) {
    fail(2, e instanceof Error ? e.message : String(e));
  }
  let finalParams: Float32Array | null = null;
  const onFinalParams = (p: Float32Array | null) => { finalParams = p; };
  const printer = new ProgressPrinter(process.stderr);
  if (!json) console.log(`training #${serializeConfig(config)}`);
  const emit = (r: MetricRecord) => (json ? console.log(JSON.stringify(r)) : printer.record(r));
  let last: MetricRecord;
  try {
    last = config.replicas > 1 || config.mode !== 'data' || options.teach
      ? await trainDataParallel(config, emit, options, resumeFrom, onFinalParams)
      : await trainSingle(config, dataset, emit, options, resumeFrom, onFinalParams);
  } catch (e) {
    fail(e instanceof ConfigError || e instanceof ShardError ? 2 : 1, e instanceof Error ? e.message : String(e));
  }
  if (last.type === 'stopped') fail(1, `${last.message}${resumeHint(last, options)}`);
  if (options.exportTfjs && finalParams) {
    const bytes = writeExport(options.exportTfjs, tfjsExport(layout, finalParams, dataset.classNames));
    process.stderr.write(`TensorFlow.js export (${bytes} bytes) in ${options.exportTfjs}\n`);
  }
  process.exit(0);
}

/** After a diverged run with checkpoints, how to go on from the last good state. */
function resumeHint(last: StoppedRecord, options: CliOptions): string {
  const dir = options.checkpoint ?? options.resume;
  if (last.reason !== 'diverged' || !dir || !existsSync(join(dir, CHECKPOINT_FILE))) return '';
  return `\nthe last good state is saved in ${dir}: npm run train -- --resume ${dir} --set lr=<lower> --checkpoint ${dir}`;
}

async function trainSingle(
  config: RunConfig, dataset: Dataset, emit: (r: MetricRecord) => void, options: CliOptions, resumeFrom: TrainingState | undefined,
  onFinalParams: (p: Float32Array) => void,
): Promise<MetricRecord> {
  const dir = options.checkpoint;
  const checkpoint = dir ? { every: options.checkpointEvery, save: (state: TrainingState) => saveCheckpoint(dir, config, state) } : undefined;
  // Start-up counts from here, as with replicas: the device, the trainer and its pipelines.
  const startedAt = runClock();
  return runTraining({ device: await requestNodeDevice(), config, dataset, emit, resumeFrom, checkpoint, onFinalParams, startedAt });
}

/**
 * Replicas or model-parallel workers in worker_threads, each with its own Dawn device; Ctrl-C stops them
 * cleanly, and the CLI returns only once every thread has ended.
 */
async function trainDataParallel(
  config: RunConfig, emit: (r: MetricRecord) => void, options: CliOptions, resumeFrom: TrainingState | undefined,
  onFinalParams: (p: Float32Array | null) => void,
): Promise<MetricRecord> {
  const dir = options.checkpoint;
  // The run hands over the whole model's state (written in order).
  let writing = Promise.resolve();
  const checkpoint = dir
    ? { every: options.checkpointEvery, save: (state: TrainingState) => { writing = writing.then(() => saveCheckpoint(dir, config, state)); } }
    : undefined;
  const env = options.teach ? await teachClass(options.teach) : nodeMemberHost();
  // A class's members may each run several workers: the run has a replica per worker.
  const ranks = env.membership?.names().length;
  const run = await startRun({ config: ranks ? classConfig(config, ranks, Boolean(options.resume)) : config, env, emit, resumeFrom, checkpoint });
  process.once('SIGINT', () => run.stop());
  const last = await run.finished;
  await Promise.all([writing, env.shutdown()]);
  onFinalParams(run.finalParams());
  return last;
}

main().catch((e) => fail(1, e instanceof Error ? e.message : String(e)));
