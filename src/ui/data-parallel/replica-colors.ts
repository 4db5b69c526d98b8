// The one colour scheme of the data-parallel views: a colour per replica (the same in the loss chart,
// shard map, histograms and timeline), the global loss, unused samples, and the worker phases.
import type { PhaseTimes } from '../../core/metrics';

/** Up to 8 replicas (the config's limit), distinct in hue and readable on white. */
const REPLICA_COLORS = ['#2563eb', '#e4572e', '#16a34a', '#9333ea', '#0891b2', '#db2777', '#a16207', '#4d7c0f'] as const;

export const replicaColor = (rank: number): string => REPLICA_COLORS[rank % REPLICA_COLORS.length];

export const GLOBAL_LOSS_COLOR = '#111827';
/** Samples no replica used in the window shown. */
export const UNUSED_COLOR = '#d4d9e1';
/** The mark of samples repeated to pad the epoch (droplast=0). */
export const PADDING_COLOR = '#111827';

export const PHASES: readonly { key: keyof PhaseTimes; label: string; color: string }[] = [
  { key: 'computeMs', label: 'compute (forward + backward)', color: '#334155' },
  { key: 'readbackMs', label: 'readback', color: '#94a3b8' },
  { key: 'allreduceMs', label: 'all-reduce (incl. waiting)', color: '#f59e0b' },
  { key: 'updateMs', label: 'update', color: '#5eead4' },
];
