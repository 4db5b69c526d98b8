// The lab page's state (zustand): the config being edited, the share link's checksums, WebGPU support,
// and the current run with ALL its metric records. Records arrive in batches (see run-controller.ts).
import { create } from 'zustand';
import { DEFAULT_CONFIG, serializeConfig, type RunConfig } from '../core/config';
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
  /** The final weights checksum the address bar carries (expect=): the opened link's, then this config's last run's. */
  expect: string | null;
  /** The checksum the opened share link expects, to compare the run against; dropped on any config change. */
  sharedExpect: string | null;
  /** Presenter mode: larger text and charts for a projector. */
  presenter: boolean;
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
  /** Opens a share link's config and its expected checksum. */
  openShared: (config: RunConfig, expect: string | null) => void;
  setPresenter: (presenter: boolean) => void;
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
  expect: null,
  sharedExpect: null,
  presenter: false,
  gpu: { state: 'checking' },
  ...emptyRun,

  setConfig: (config) =>
    set((s) => (sameConfig(s.config, config) ? { configError: null } : { config, configError: null, expect: null, sharedExpect: null })),
  setConfigError: (configError) => set({ configError }),
  openShared: (config, expect) => set({ config, configError: null, expect, sharedExpect: expect }),
  setPresenter: (presenter) => set({ presenter }),
  setGpu: (gpu) => set({ gpu }),
  beginRun: (runConfig) => set({ ...emptyRun, status: 'running', runConfig }),
  setStatus: (status) => set({ status }),
  setAdapter: (adapter) => set({ adapter }),
  appendRecords: (batch) =>
    set((s) => {
      const stopped = batch.find((r) => r.type === 'stopped');
      const done = batch.find((r) => r.type === 'done');
      // A finished run of the config in the form makes the address bar a link that expects its checksum.
      const expect = done && s.runConfig && sameConfig(s.runConfig, s.config) ? done.weightsSha256 : s.expect;
      return {
        expect,
        records: s.records.concat(batch),
        status: statusAfter(s.status, batch),
        runMessage: stopped ? stopped.message : s.runMessage,
      };
    }),
  failRun: (runMessage) => set({ status: 'error', runMessage }),
  clearRun: () => set(emptyRun),
}));

function sameConfig(a: RunConfig, b: RunConfig): boolean {
  return serializeConfig(a) === serializeConfig(b);
}

/** A run is active while its worker trains or waits paused; the config form is locked then. */
export function isActive(status: RunStatus): boolean {
  return status === 'running' || status === 'paused';
}

/** The config the views draw: the run's once one started, else the form's. */
export function useShownConfig(): RunConfig {
  return useLab((s) => s.runConfig ?? s.config);
}
