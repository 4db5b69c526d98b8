// RunConfig: the one serialisable description of a run, driven by a declarative field table.
// The URL hash, CLI flags, presets and worker init messages all go through parse/serialize here.
import { isCsvDataset, localDatasetNames, missingCsvMessage } from './datasets';

export const CONFIG_VERSION = 1;

export const DATASETS = ['mnist', 'spiral', 'circles', 'xor', 'gauss'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export const SHARD_MODES = ['strided', 'contiguous', 'label'] as const;
export const ALLREDUCE_MODES = ['ring', 'star'] as const;
export const PARALLEL_MODES = ['data', 'pipeline', 'tensor'] as const;
export const SCHEDULES = ['gpipe', '1f1b'] as const;
export const BALANCE_MODES = ['equal', 'speed'] as const;
/** The matmul kernels (src/gpu/matmul-candidates.ts): all give the same bits, at different speeds per adapter. */
export const MATMUL_KERNELS = ['blocked', 'tile64-4', 'tile64-8', 'tile128x64-8', 'tile128-8'] as const;
export const KERNEL_CHOICES = ['auto', ...MATMUL_KERNELS] as const;
export const LR_DECAYS = ['constant', 'linear', 'cosine'] as const;
/** A built-in set, or a CSV set imported on this computer (its data never leaves it; a link only names it). */
export type DatasetName = (typeof DATASETS)[number] | `csv:${string}`;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type ShardMode = (typeof SHARD_MODES)[number];
export type AllreduceMode = (typeof ALLREDUCE_MODES)[number];
export type ParallelMode = (typeof PARALLEL_MODES)[number];
export type Schedule = (typeof SCHEDULES)[number];
export type BalanceMode = (typeof BALANCE_MODES)[number];
export type MatmulKernel = (typeof MATMUL_KERNELS)[number];
export type KernelChoice = (typeof KERNEL_CHOICES)[number];
export type LrDecay = (typeof LR_DECAYS)[number];

export interface RunConfig {
  dataset: DatasetName;
  /** Hidden layer widths, input and output sizes come from the data set. */
  layers: number[];
  optimizer: OptimizerName;
  /** The peak learning rate (every step's, with lrschedule=constant and no warm-up). */
  lr: number;
  /** Steps over which the learning rate climbs linearly from lr/warmup to lr (0: none). */
  warmup: number;
  /** After the warm-up: lr held, or decayed linearly or along a half cosine to 0 at the run's end. */
  lrschedule: LrDecay;
  /** Global batch size: the samples of one update, over all replicas and accumulated micro-batches. */
  batch: number;
  /**
   * Gradient accumulation: each replica (or the one device, or each pipeline replica) cuts its share of a
   * batch into this many micro-batches and adds up their gradients before one all-reduce and update.
   */
  accumulate: number;
  epochs: number;
  seed: number;
  /** Data-parallel replicas, each a worker with its own GPUDevice. */
  replicas: number;
  /** How each global batch is split across replicas. */
  shard: ShardMode;
  /** equal: every replica the same share of each global batch; speed: shares by measured speed, re-planned each epoch. */
  balance: BalanceMode;
  /** 1: drop each epoch's short last batch, for any number of replicas (and do not pad shards). */
  droplast: number;
  allreduce: AllreduceMode;
  /** 'step': all-reduce gradients every step (DDP); k: average weights every k steps (local SGD). */
  sync: 'step' | number;
  /** data: replicas copy the model; pipeline: stages hold runs of layers; tensor: workers hold slices of layers. */
  mode: ParallelMode;
  /** Model-parallel workers (pipeline stages or tensor-parallel ranks). */
  stages: number;
  /** Pipeline: micro-batches each global batch is cut into. */
  microbatches: number;
  /** Pipeline: all forwards then all backwards (GPipe), or one forward one backward (1F1B). */
  schedule: Schedule;
  /** auto: the fastest matmul kernel per product, measured on this adapter; or one kernel for all. */
  kernel: KernelChoice;
  /**
   * Activation recomputation (checkpointing): 1 keeps only some activations through the forward and
   * recomputes the others just before their backward: less memory, more compute, the same bits.
   */
  recompute: number;
  /**
   * ZeRO stage of a data-parallel run with sync=step: 0 every replica holds everything (DDP); 1 each holds
   * 1/N of the optimizer state and updates 1/N of the weights; 2 and its 1/N of the summed gradient; 3 and
   * its 1/N of the weights, each layer's all-gathered just before its forward and again before its backward.
   */
  zero: number;
  /** MiB of GPU memory one worker may plan to use (0: the lab's own limit): lower it to see a model not fit. */
  memlimit: number;
}

export type ConfigKey = keyof RunConfig;

interface FieldBase {
  key: ConfigKey;
  label: string;
  help: string;
}
export type FieldSpec =
  | (FieldBase & { kind: 'enum'; values: readonly string[] })
  | (FieldBase & { kind: 'int'; min: number; max: number })
  | (FieldBase & { kind: 'number'; min: number; max: number; minExclusive: boolean })
  | (FieldBase & { kind: 'intList'; min: number; max: number; maxLength: number })
  | (FieldBase & { kind: 'wordOrInt'; word: string; min: number; max: number });

export const MAX_HIDDEN_LAYERS = 8;

/** The field table: add a field here and the URL, CLI, form and validation follow. */
export const FIELDS: readonly FieldSpec[] = [
  {
    key: 'dataset', kind: 'enum', get values() { return [...DATASETS, ...localDatasetNames()]; },
    label: 'Data set', help: 'MNIST digits, a 2-D toy set, or your own CSV (csv:<name>, imported here)',
  },
  {
    key: 'layers', kind: 'intList', min: 1, max: 4096, maxLength: MAX_HIDDEN_LAYERS,
    label: 'Hidden layers', help: 'comma-separated widths, e.g. 64 or 256,128 (empty: no hidden layer)',
  },
  { key: 'optimizer', kind: 'enum', values: OPTIMIZERS, label: 'Optimizer', help: 'SGD, SGD with momentum 0.9, or Adam' },
  { key: 'lr', kind: 'number', min: 0, max: 10, minExclusive: true, label: 'Learning rate', help: 'step size, e.g. 0.001 (the peak, with a warm-up or an LR schedule)' },
  { key: 'warmup', kind: 'int', min: 0, max: 100000, label: 'Warm-up', help: 'steps over which the learning rate climbs linearly to lr (0: none)' },
  { key: 'lrschedule', kind: 'enum', values: LR_DECAYS, label: 'LR schedule', help: 'after the warm-up: constant lr, or decayed linearly or along a cosine to 0 at the run\'s end' },
  { key: 'batch', kind: 'int', min: 1, max: 8192, label: 'Batch', help: 'global batch size: the samples of one update, over all replicas and micro-batches' },
  { key: 'accumulate', kind: 'int', min: 1, max: 64, label: 'Accumulate', help: 'gradient accumulation: micro-batches per replica per update; micro-batch = batch ÷ (accumulate × replicas)' },
  { key: 'epochs', kind: 'int', min: 1, max: 1000, label: 'Epochs', help: 'passes over the training set' },
  { key: 'seed', kind: 'int', min: 0, max: 4294967295, label: 'Seed', help: 'all randomness comes from it' },
  { key: 'replicas', kind: 'int', min: 1, max: 8, label: 'Replicas', help: 'data-parallel workers, each with its own GPU device' },
  { key: 'shard', kind: 'enum', values: SHARD_MODES, label: 'Sharding', help: 'strided (DistributedSampler), contiguous blocks, or by label (non-IID)' },
  { key: 'balance', kind: 'enum', values: BALANCE_MODES, label: 'Balance', help: 'equal: the same share of each batch per replica; speed: shares by each replica\'s measured speed, re-planned each epoch' },
  { key: 'droplast', kind: 'int', min: 0, max: 1, label: 'Drop last', help: '1: drop each epoch\'s short last batch (whole batches only); 0: keep it, padding the replicas\' shards' },
  { key: 'allreduce', kind: 'enum', values: ALLREDUCE_MODES, label: 'All-reduce', help: 'ring between workers, or star through the coordinator' },
  { key: 'sync', kind: 'wordOrInt', word: 'step', min: 1, max: 10000, label: 'Sync', help: 'step: average gradients every step; k: average weights every k steps' },
  { key: 'mode', kind: 'enum', values: PARALLEL_MODES, label: 'Parallelism', help: 'data: replicas of the model; pipeline: layers split into stages; tensor: each layer split across workers' },
  { key: 'stages', kind: 'int', min: 2, max: 8, label: 'Stages', help: 'model-parallel workers (pipeline stages or tensor-parallel ranks)' },
  { key: 'microbatches', kind: 'int', min: 1, max: 64, label: 'Micro-batches', help: 'pipeline: micro-batches per global batch' },
  { key: 'schedule', kind: 'enum', values: SCHEDULES, label: 'Schedule', help: 'pipeline: GPipe (all forwards, then all backwards) or 1F1B' },
  {
    key: 'recompute', kind: 'int', min: 0, max: 1, label: 'Recompute',
    help: '1: keep only checkpointed activations and recompute the rest before each backward (same bits, less memory, more compute). '
      + 'Pipeline: a stage keeps each in-flight micro-batch\'s input. One device or data parallel: the input of every ⌈√L⌉ layers '
      + '(saves nothing for one or two dense layers, e.g. 784-64-10; try 3 hidden layers)',
  },
  { key: 'kernel', kind: 'enum', values: KERNEL_CHOICES, label: 'Matmul kernel', help: 'auto: the fastest on this GPU, measured at start; or one by name (every kernel gives the same bits)' },
  {
    key: 'zero', kind: 'int', min: 0, max: 3, label: 'ZeRO stage',
    help: 'data parallel, sync=step: 0 replicas hold everything (DDP); 1 optimizer state sharded over replicas; 2 gradients too; '
      + '3 weights too (FSDP: each layer all-gathered before its forward and its backward)',
  },
  { key: 'memlimit', kind: 'number', min: 0, max: 1024, minExclusive: false, label: 'Memory limit', help: 'MiB of GPU memory one worker may use (0: the lab\'s 1024 MiB); the memory check refuses a run whose plan needs more' },
];

export const DEFAULT_CONFIG: RunConfig = {
  dataset: 'mnist', layers: [64], optimizer: 'adam', lr: 0.001, warmup: 0, lrschedule: 'constant', batch: 32, accumulate: 1, epochs: 10, seed: 1,
  replicas: 1, shard: 'strided', balance: 'equal', droplast: 0, allreduce: 'ring', sync: 'step',
  mode: 'data', stages: 2, microbatches: 1, schedule: 'gpipe', recompute: 0,
  kernel: 'auto', zero: 0, memlimit: 0,
};

export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

// Plain decimal numbers only: no hex, no Infinity/NaN, no empty string.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const MAX_VALUE_LENGTH = 200;

function quote(raw: string): string {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return JSON.stringify(shown);
}

function rangeText(f: { min: number; max: number; minExclusive?: boolean }): string {
  return `${f.minExclusive ? '(' : '['}${f.min}, ${f.max}]`;
}

function parseDecimal(f: FieldSpec & { min: number; max: number }, raw: string): number {
  const v = DECIMAL.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(v)) {
    const what = f.kind === 'int' ? 'an integer' : 'a decimal number';
    throw new ConfigError(f.key, `must be ${what} in ${rangeText(f)}, got ${quote(raw)}`);
  }
  // "-0" is zero: keep parse(serialize(c)) equal to c.
  return v === 0 ? 0 : v;
}

function parseInteger(f: FieldSpec & { min: number; max: number }, raw: string): number {
  const v = parseDecimal(f, raw);
  if (!Number.isInteger(v) || v < f.min || v > f.max) {
    throw new ConfigError(f.key, `must be an integer in ${rangeText(f)}, got ${quote(raw)}`);
  }
  return v;
}

/** Parses one field's text value; throws ConfigError naming the key and the allowed values. */
export function parseField(f: FieldSpec, raw: string): RunConfig[ConfigKey] {
  if (raw.length > MAX_VALUE_LENGTH) throw new ConfigError(f.key, `value too long (${raw.length} characters)`);
  switch (f.kind) {
    case 'enum':
      if (f.key === 'dataset' && !f.values.includes(raw) && isCsvDataset(raw)) throw new ConfigError(f.key, missingCsvMessage(raw));
      if (!f.values.includes(raw)) throw new ConfigError(f.key, `must be one of ${f.values.join('|')}, got ${quote(raw)}`);
      return raw as RunConfig[ConfigKey];
    case 'int':
      return parseInteger(f, raw);
    case 'number': {
      const v = parseDecimal(f, raw);
      const tooLow = f.minExclusive ? v <= f.min : v < f.min;
      if (tooLow || v > f.max) throw new ConfigError(f.key, `must be a number in ${rangeText(f)}, got ${quote(raw)}`);
      return v;
    }
    case 'wordOrInt':
      if (raw === f.word) return raw as RunConfig[ConfigKey];
      if (!DECIMAL.test(raw) || !Number.isInteger(Number(raw)) || Number(raw) < f.min || Number(raw) > f.max) {
        throw new ConfigError(f.key, `must be ${f.word} or an integer in ${rangeText(f)}, got ${quote(raw)}`);
      }
      return Number(raw);
    case 'intList': {
      if (raw.trim() === '') return [];
      const parts = raw.split(',');
      if (parts.length > f.maxLength) throw new ConfigError(f.key, `at most ${f.maxLength} entries, got ${parts.length}`);
      return parts.map((p) => {
        const v = DECIMAL.test(p.trim()) ? Number(p.trim()) : NaN;
        if (!Number.isInteger(v) || v < f.min || v > f.max) {
          throw new ConfigError(f.key, `each entry must be an integer in ${rangeText(f)}, got ${quote(p)}`);
        }
        return v;
      });
    }
  }
}

export function formatField(value: RunConfig[ConfigKey]): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** A key as an error names it: at most 40 characters, and never empty. */
function keyName(key: string): string {
  return key === '' ? '(empty key)' : key.slice(0, 40);
}

const FIELD_BY_KEY = new Map(FIELDS.map((f) => [f.key as string, f]));

export function fieldFor(key: string): FieldSpec {
  const f = FIELD_BY_KEY.get(key);
  if (!f) throw new ConfigError(keyName(key), `unknown key (known: ${FIELDS.map((x) => x.key).join(', ')})`);
  return f;
}

/** Applies text overrides (from a link or --set flags) on top of a base config. All or nothing. */
export function applyOverrides(base: RunConfig, entries: Iterable<[string, string]>): RunConfig {
  const out: Record<string, unknown> = { ...base, layers: [...base.layers] };
  const seen = new Set<string>();
  for (const [key, raw] of entries) {
    if (seen.has(key)) throw new ConfigError(keyName(key), 'given more than once');
    seen.add(key);
    if (key === 'v') {
      if (raw !== String(CONFIG_VERSION)) throw new ConfigError('v', `unsupported version ${quote(raw)} (this lab reads v=${CONFIG_VERSION})`);
      continue;
    }
    const f = fieldFor(key);
    out[key] = parseField(f, raw);
  }
  return validateConfig(out as unknown as RunConfig);
}

/** Cross-field checks that a single field cannot express. */
export function validateConfig(c: RunConfig): RunConfig {
  const widest = Math.max(0, ...c.layers);
  if (c.layers.length * widest * widest > 64 * 1024 * 1024) {
    throw new ConfigError('layers', 'model too large: at most 64M weights between hidden layers');
  }
  if (c.mode !== 'data') validateModelParallel(c);
  if (c.accumulate > 1) validateAccumulate(c);
  if (c.balance === 'speed') validateSpeedBalance(c);
  if (c.zero > 0) validateZero(c);
  if (c.recompute > 0) validateRecompute(c);
  return c;
}

/** ZeRO shards what gradient all-reduce keeps identical on every replica: nothing else has such state. */
function validateZero(c: RunConfig): void {
  if (c.mode !== 'data') throw new ConfigError('zero', `must be 0 with mode=${c.mode}: ZeRO shards the state of data-parallel replicas`);
  if (c.sync !== 'step') {
    throw new ConfigError('zero', `${c.zero} needs sync=step: with local SGD (sync=${c.sync}) each replica's weights and optimizer state are its own between synchronisations`);
  }
}

/** Recomputation re-runs forwards of whole layers: a tensor-parallel slice's would repeat its ring sums. */
function validateRecompute(c: RunConfig): void {
  if (c.mode === 'tensor') throw new ConfigError('recompute', 'must be 0 with mode=tensor: recomputation is available for one device, data and pipeline parallelism');
}

/** balance=speed re-cuts the global batches of strided sharding; what it cannot combine with. */
function validateSpeedBalance(c: RunConfig): void {
  if (c.mode !== 'data') throw new ConfigError('balance', `must be equal with mode=${c.mode}: speed balances data-parallel replicas`);
  if (c.shard !== 'strided') {
    throw new ConfigError('balance', `speed needs shard=strided: with shard=${c.shard} each replica owns its samples, so its share cannot follow its speed`);
  }
  if (c.sync !== 'step') throw new ConfigError('balance', `speed needs sync=step: local SGD (sync=${c.sync}) averages the replicas' weights equally, whatever their shares`);
}

/** Every accumulated micro-batch (of every pipeline micro-batch) needs a sample of each replica's share. */
function validateAccumulate(c: RunConfig): void {
  const perReplica = Math.ceil(c.batch / c.replicas);
  const share = c.replicas > 1 ? `the batch per replica (${perReplica})` : `the batch (${c.batch})`;
  if (c.mode === 'pipeline' && c.accumulate * c.microbatches > perReplica) {
    throw new ConfigError('accumulate', `at most ${Math.floor(perReplica / c.microbatches)}: accumulate × microbatches (${c.microbatches}) must be at most ${share}`);
  }
  if (c.accumulate > perReplica) throw new ConfigError('accumulate', `at most ${share}: each micro-batch needs one sample or more`);
}

/** The most workers a run may start (each a Web Worker with its own GPU device). */
export const MAX_WORKERS = 8;

/** Limits of pipeline and tensor parallelism that the fields alone cannot express. */
function validateModelParallel(c: RunConfig): void {
  if (c.sync !== 'step') throw new ConfigError('sync', `must be step with mode=${c.mode}: local SGD is a data-parallel setting`);
  if (c.mode === 'pipeline') {
    const dense = c.layers.length + 1;
    if (c.stages > dense) {
      throw new ConfigError('stages', `at most ${dense} for pipeline: the network has ${dense} dense layer${dense > 1 ? 's' : ''} to split`);
    }
    if (c.replicas * c.stages > MAX_WORKERS) {
      throw new ConfigError('replicas', `${c.replicas} replicas × ${c.stages} stages is ${c.replicas * c.stages} workers, at most ${MAX_WORKERS}`);
    }
    const perReplica = Math.ceil(c.batch / c.replicas);
    if (c.microbatches > perReplica) {
      const what = c.replicas > 1 ? `the batch per replica (${perReplica})` : `the batch (${c.batch})`;
      throw new ConfigError('microbatches', `at most ${what}: each micro-batch needs one sample or more`);
    }
    return;
  }
  if (c.replicas > 1) throw new ConfigError('replicas', 'must be 1 with mode=tensor: data × tensor parallelism is not available');
  if (c.layers.length === 0) throw new ConfigError('layers', 'tensor parallel needs a hidden layer to split');
  c.layers.forEach((width, i) => {
    if (i % 2 === 0 && width < c.stages) {
      throw new ConfigError('layers', `hidden layer ${i + 1} has ${width} units, fewer than the ${c.stages} tensor-parallel workers that split it`);
    }
  });
  if (c.microbatches !== 1) throw new ConfigError('microbatches', 'must be 1 with mode=tensor (micro-batches are a pipeline setting)');
}

const MAX_LINK_LENGTH = 4096;

/** Splits "a=1&b=2" (a URL hash without '#', or a full link) into decoded pairs. */
export function linkEntries(link: string): [string, string][] {
  const hashAt = link.indexOf('#');
  const text = hashAt >= 0 ? link.slice(hashAt + 1) : link;
  if (text.length > MAX_LINK_LENGTH) throw new ConfigError('link', `too long (${text.length} characters, at most ${MAX_LINK_LENGTH})`);
  if (text === '') return [];
  return text.split('&').filter((p) => p !== '').map((pair) => {
    const eq = pair.indexOf('=');
    const rawKey = eq >= 0 ? pair.slice(0, eq) : pair;
    const rawValue = eq >= 0 ? pair.slice(eq + 1) : '';
    return [decode(rawKey, rawKey), decode(rawKey, rawValue)];
  });
}

function decode(key: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConfigError(keyName(key), `malformed percent-encoding in ${quote(text)}`);
  }
}

/** Parses a share link or hash into a config; keys it lacks take the defaults. */
export function parseLink(link: string, base: RunConfig = DEFAULT_CONFIG): RunConfig {
  return applyOverrides(base, linkEntries(link));
}

/** The hash (without '#') that holds the whole config; parseLink(serializeConfig(c)) equals c. */
export function serializeConfig(c: RunConfig): string {
  const parts = [`v=${CONFIG_VERSION}`];
  for (const f of FIELDS) parts.push(`${f.key}=${encodeURIComponent(formatField(c[f.key])).replace(/%2C/g, ',').replace(/%3A/g, ':')}`);
  return parts.join('&');
}
