// Command-line flags of `npm run train`, turned into a RunConfig through the same field table as links.
import { hostname } from 'node:os';
import { applyOverrides, ConfigError, DEFAULT_CONFIG, FIELDS, linkEntries, type RunConfig } from '../core/config';
import type { Dataset } from '../core/datasets';
import { findPreset, PRESETS } from '../core/presets';
import { LIMITS } from '../class/protocol';
import type { JoinOptions, TeachOptions } from './class-run';
import { loadCsvFile } from './csv-data';

export interface CliOptions {
  /** The config from --preset, --link and --set (for --resume, only the overrides matter). */
  config: RunConfig;
  /** The --set pairs, applied on top of a resumed run's saved config. */
  sets: [string, string][];
  json: boolean;
  help: boolean;
  checkpoint: string | null;
  checkpointEvery: number;
  resume: string | null;
  /** Write the trained model in TensorFlow.js Layers format to this folder. */
  exportTfjs: string | null;
  /** Write the run as a PyTorch DDP folder (script, data, order, initial weights) before training. */
  exportDdp: string | null;
  /** Start from the weights of a TensorFlow.js export (model.json) instead of the seeded ones. */
  initWeights: string | null;
  /** --data: the user's CSV set, registered as csv:<name> and the run's data set. */
  csv: Dataset | null;
  /** --teach: train with the members of a class session (class-run.ts). */
  teach: TeachOptions | null;
  /** --join: train as a member of a class instead of running a config of one's own. */
  join: JoinOptions | null;
}

/** The --set keys' column: the longest key and two spaces, so every help text starts in one column. */
const KEY_WIDTH = Math.max(...FIELDS.map((f) => f.key.length)) + 2;

export const USAGE = `usage: npm run train -- [--preset NAME] [--link URL-or-hash] [--set key=value ...] [--json]
                         [--checkpoint DIR [--checkpoint-every N]] [--resume DIR]
                         [--export DIR] [--export-ddp DIR] [--init-weights DIR/model.json]
                         [--data FILE.csv [--label-column N|NAME] [--decimal .|,]]
                         [--teach ADDRESS --members N]
       npm run train -- --join LINK [--name NAME] [--workers K]
  --preset NAME         start from a preset: ${PRESETS.map((p) => p.name).join(', ')}
  --link URL            a share link or its hash (#v=1&dataset=...); overrides the preset
  --set k=v             set one field; overrides the link. Keys:
${FIELDS.map((f) => `                          ${f.key.padEnd(KEY_WIDTH)}${f.help}`).join('\n')}
  --json                print JSON Lines only (step, eval, timing, done or stopped records, and with
                        replicas: shard, workers and sync records)
  --checkpoint DIR      save weights, optimizer state and step to DIR every N steps (one replica, or sync=step)
  --checkpoint-every N  steps between checkpoints (default 100)
  --resume DIR          continue the run saved in DIR; --set may change only ${'`lr` and `epochs`'}
  --export DIR          after training, write the model for TensorFlow.js (model.json + weights) to DIR
  --export-ddp DIR      write the run for PyTorch DDP (train_ddp.py, data, per-rank order, initial
                        weights, README) to DIR, then train as usual
  --init-weights PATH   start from the weights of a --export folder (or its model.json), with fresh
                        optimizer state: fine-tune or continue training
  --data FILE.csv       train on your CSV (numeric features and a label column of class ids 0..C-1 or
                        of class names, numbered in order of first appearance; header optional; fields
                        separated by ',', ';' or tab; at most 50 MB) as dataset=csv:<file name>; every
                        tenth row is held out for testing
  --label-column C      the label column: 1-based number or header name (default: the last)
  --decimal .|,         the decimal mark (default: '.' where ',' separates fields, else told from the file)
  --teach ADDRESS       teach a class (npm run class): open a session on the class server at ADDRESS, or
                        take the server's own with its teacher link; print the join link, wait for
                        --members N members and train with them as the run's replicas (mode=data), one
                        per worker a member offers
  --join LINK           train as a member of a class, on this machine's GPU: the teacher's run, not
                        flags of your own; --name NAME is what the class sees (default: the host name);
                        --workers K runs K of the run's replicas here, each its own device (1 to ${LIMITS.workersPerMember}, default 1)`;

export class UsageError extends Error {}

/** Fields a resumed run may change: the rest would make it a different run. */
export const RESUMABLE_CHANGES = ['lr', 'epochs'];

export function parseArgs(argv: string[]): CliOptions {
  const { out, sets, given } = readFlags(argv);
  const { data, labelColumn, decimal, teach, members, join, name, workers } = given;
  if (out.resume && (given.base !== DEFAULT_CONFIG || given.link.length)) throw new UsageError('--resume takes the config from the checkpoint: drop --preset and --link');
  if (out.resume && (out.initWeights || out.exportDdp)) throw new UsageError('--init-weights and --export-ddp start a new run: drop --resume');
  if (labelColumn !== undefined && !data) throw new UsageError('--label-column needs --data');
  if (decimal && !data) throw new UsageError('--decimal needs --data');
  if ((teach === null) !== (members === null)) throw new UsageError('--teach and --members go together: the class server\'s address and how many members to wait for');
  if (name !== null && join === null) throw new UsageError('--name needs --join');
  if (workers !== null && join === null) throw new UsageError('--workers needs --join');
  if (join !== null && argv.some((a) => a.startsWith('--') && !['--join', '--name', '--workers', '--json'].includes(a))) {
    throw new UsageError('--join trains the teacher\'s run: drop the other flags (the teacher sets the config)');
  }
  let csv: Dataset | null = null;
  try {
    csv = data === null ? null : loadCsvFile(data, { labelColumn, decimal });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const linked = applyOverrides(given.base, given.link);
  const config = applyOverrides(csv ? { ...linked, dataset: csv.name } : linked, sets);
  if (out.checkpoint && config.replicas > 1 && config.sync !== 'step') {
    throw new UsageError('--checkpoint with replicas > 1 needs sync=step (with local SGD each replica holds different weights)');
  }
  return {
    config, sets, ...out, csv,
    teach: teach === null ? null : { server: teach, members: members! },
    join: join === null ? null : { link: join, name: name ?? (hostname().slice(0, LIMITS.nameLength) || 'node member'), workers: workers ?? 1 },
  };
}

/** The flags one by one, as given: each value read and checked on its own, before parseArgs checks them together. */
function readFlags(argv: string[]) {
  const sets: [string, string][] = [];
  // What goes into the options as it is.
  const out = {
    json: false, help: false, checkpoint: null as string | null, checkpointEvery: 100, resume: null as string | null,
    exportTfjs: null as string | null, exportDdp: null as string | null, initWeights: null as string | null,
  };
  // What parseArgs combines into the config, the CSV data set and a class's options.
  const given = {
    base: DEFAULT_CONFIG, link: [] as [string, string][], data: null as string | null, labelColumn: undefined as string | undefined,
    decimal: undefined as '.' | ',' | undefined, teach: null as string | null, members: null as number | null,
    join: null as string | null, name: null as string | null, workers: null as number | null,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--json') out.json = true;
    else if (flag === '--help' || flag === '-h') out.help = true;
    else if (flag === '--preset') {
      const name = value();
      const preset = findPreset(name);
      if (!preset) throw new ConfigError('preset', `unknown preset "${name}" (known: ${PRESETS.map((p) => p.name).join(', ')})`);
      given.base = preset.config;
    } else if (flag === '--link') given.link = linkEntries(value());
    else if (flag === '--set') {
      const pair = value();
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--set needs key=value, got "${pair}"`);
      sets.push([pair.slice(0, eq), pair.slice(eq + 1)]);
    } else if (flag === '--checkpoint') out.checkpoint = value();
    else if (flag === '--resume') out.resume = value();
    else if (flag === '--export') out.exportTfjs = value();
    else if (flag === '--export-ddp') out.exportDdp = value();
    else if (flag === '--init-weights') out.initWeights = value();
    else if (flag === '--data') given.data = value();
    else if (flag === '--label-column') given.labelColumn = value();
    else if (flag === '--decimal') {
      const mark = value();
      if (mark !== '.' && mark !== ',') throw new UsageError(`--decimal needs . or , (got "${mark}")`);
      given.decimal = mark;
    } else if (flag === '--teach') given.teach = value();
    else if (flag === '--join') given.join = value();
    else if (flag === '--name') given.name = value();
    else if (flag === '--workers') {
      given.workers = Number(value());
      if (!Number.isInteger(given.workers) || given.workers < 1 || given.workers > LIMITS.workersPerMember) throw new UsageError(`--workers needs an integer in [1, ${LIMITS.workersPerMember}]`);
    }
    else if (flag === '--members') {
      given.members = Number(value());
      if (!Number.isInteger(given.members) || given.members < 1 || given.members > LIMITS.membersPerSession) throw new UsageError(`--members needs an integer in [1, ${LIMITS.membersPerSession}]`);
    } else if (flag === '--checkpoint-every') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new UsageError('--checkpoint-every needs an integer in [1, 1000000]');
      out.checkpointEvery = n;
    } else throw new UsageError(`unknown flag "${flag}"`);
  }
  return { out, sets, given };
}

/** A resumed run's config: the saved one, with only the changes a resume allows. */
export function resumedConfig(saved: RunConfig, sets: [string, string][]): RunConfig {
  const refused = sets.find(([key]) => !RESUMABLE_CHANGES.includes(key));
  if (refused) throw new ConfigError(refused[0].slice(0, 40), `cannot change a resumed run (only ${RESUMABLE_CHANGES.join(', ')} may change)`);
  return applyOverrides(saved, sets);
}
