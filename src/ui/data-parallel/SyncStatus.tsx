// Whether the replicas hold the same parameters after every synchronisation: a badge ("replicas in
// sync" or the step where they diverged), when they last synchronised, and the latest checksums.
import { useMemo } from 'react';
import type { RunConfig } from '../../core/config';
import type { MetricRecord } from '../../core/metrics';
import { formatCount } from '../format';
import { syncState } from './parallel-data';
import { replicaColor } from './replica-colors';

export function SyncStatus({ config, records }: { config: RunConfig; records: readonly MetricRecord[] }) {
  const { checks, divergedAt, latest } = useMemo(() => syncState(records), [records]);
  const state = divergedAt !== null ? 'diverged' : checks > 0 ? 'in-sync' : 'waiting';
  const badge = state === 'diverged' ? `replicas diverged at step ${divergedAt}` : state === 'in-sync' ? 'replicas in sync' : 'no synchronisation yet';
  const every = config.sync === 'step' ? 'after every step' : `every ${config.sync} steps (local SGD)`;
  return (
    <div className="sync-status">
      <span className={`sync-badge sync-${state}`} data-testid="sync-status" data-state={state} data-checks={checks}>{badge}</span>
      <span className="muted">
        {latest
          ? `last synchronised at step ${latest.step}; ${formatCount(checks)} checks, ${every}`
          : `parameter checksums are compared ${every}`}
      </span>
      {latest && (
        <span className="checksums" data-testid="sync-checksums" title="FNV-1a fingerprint of each replica's parameters after the latest synchronisation">
          {latest.checksums.map((c, rank) => (
            <code key={rank} className={latest.inSync ? '' : 'checksum-off'}>
              <span className="swatch" style={{ background: replicaColor(rank) }} />{c}
            </code>
          ))}
        </span>
      )}
      {latest?.drift && (
        <span className="muted" title="‖w_k − w̄‖/‖w̄‖ of each replica just before the weights were averaged">
          drift before averaging: {latest.drift.map((d) => d.toExponential(1)).join(' · ')}
        </span>
      )}
    </div>
  );
}
