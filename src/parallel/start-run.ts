// Starts a run in whichever parallel mode its config names: data parallelism (one replica is
// single-device training) or model parallelism (pipeline stages, tensor-parallel slices). Both resume
// from and checkpoint the whole model's state.
import { startDataParallel } from './data-coordinator';
import { startModelParallel } from './model-coordinator';
import type { RunHandle, RunOptions } from './run';

export function startRun(options: RunOptions): Promise<RunHandle> {
  return options.config.mode === 'data' ? startDataParallel(options) : startModelParallel(options);
}
