// Starts a run in whichever parallel mode its config names: data parallelism (one replica is
// single-device training) or model parallelism (pipeline stages, tensor-parallel slices).
import { startDataParallel, type DataParallelOptions, type RunHandle } from './coordinator';
import { startModelParallel } from './model-coordinator';

export function startRun(options: DataParallelOptions): Promise<RunHandle> {
  const { config, resumeFrom, checkpoint } = options;
  if (config.mode === 'data') return startDataParallel(options);
  // A split model's state lives in several workers; saving and restoring it is not built yet.
  if (resumeFrom || checkpoint) {
    return Promise.reject(new Error(`checkpoints and resume are not available for mode=${config.mode}: its weights are split across workers`));
  }
  return startModelParallel(options);
}
