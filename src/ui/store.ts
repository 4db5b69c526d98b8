// The lab page's state (zustand): the config being edited, WebGPU support, and the current run with
// ALL its metric records. Records arrive in batches (see run-controller.ts), a few times a second.
import { create } from 'zustand';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config';
import type { MetricRecord } from '../core/metrics';

export type RunStatus = 'idle' | 'running' | 'paused' | 'done' | 'stopped' | 'error';

export type GpuSupport =
  | { state: 'checking' }
  | { state: 'available' }
  | { state: 'unavailable'; reason: string };

interface LabState {
  config: RunConfig;
  /** Why the last link or form edit was not applied; the config above is still the last valid one. */
  configError: string | null;
  gpu: GpuSupport;
  status: RunStatus;
  /** The config of the run shown (the form may have moved on after it finished). */
  runConfig: RunConfig | null;
  adapter: string | null;
  records: MetricRecord[];
  /** Why the run stopped or failed. */
  runMessage: string | null;

  setConfig: (config: RunConfig) => void;
  setConfigError: (message: string) => void;
  setGpu: (gpu: GpuSupport) => void;
  beginRun: (config: RunConfig) => void;
  setStatus: (status: RunStatus) => void;
  setAdapter: (adapter: string) => void;
  appendRecords: (batch: MetricRecord[]) => void;
  failRun: (message: string) => void;
  clearRun: () => void;
}

type RunFields = Pick<LabState, 'status' | 'runConfig' | 'adapter' | 'records' | 'runMessage'>;
const emptyRun: RunFields = { status: 'idle', runConfig: null, adapter: null, records: [], runMessage: null };

/** The status a batch of records leads to: a 'done' or 'stopped' record ends the run. */
function statusAfter(status: RunStatus, batch: MetricRecord[]): RunStatus {
  for (const r of batch) {
    if (r.type === 'done') return 'done';
    if (r.type === 'stopped') return 'stopped';
  }
  return status;
}

export const useLab = create<LabState>()((set) => ({
  config: DEFAULT_CONFIG,
  configError: null,
  gpu: { state: 'checking' },
  ...emptyRun,

  setConfig: (config) => set({ config, configError: null }),
  setConfigError: (configError) => set({ configError }),
  setGpu: (gpu) => set({ gpu }),
  beginRun: (runConfig) => set({ ...emptyRun, status: 'running', runConfig }),
  setStatus: (status) => set({ status }),
  setAdapter: (adapter) => set({ adapter }),
  appendRecords: (batch) =>
    set((s) => {
      const stopped = batch.find((r) => r.type === 'stopped');
      return {
        records: s.records.concat(batch),
        status: statusAfter(s.status, batch),
        runMessage: stopped ? stopped.message : s.runMessage,
      };
    }),
  failRun: (runMessage) => set({ status: 'error', runMessage }),
  clearRun: () => set(emptyRun),
}));

/** A run is active while its worker trains or waits paused; the config form is locked then. */
export function isActive(status: RunStatus): boolean {
  return status === 'running' || status === 'paused';
}
