// A stacked bar per replica of its planned GPU memory by kind (weights, gradients, optimizer state, backups,
// activations, staging), which moves as zero, accumulate and the batch change: ZeRO shrinks the optimizer
// state to each replica's shard and drops the backups.
import type { RunConfig } from '../../core/config';
import { formatBytes } from '../format';
import { MEMORY_KINDS, replicaMemoryBars } from './memory-bars';
import { replicaColor } from './replica-colors';

export function MemoryBars({ config }: { config: RunConfig }) {
  const bars = replicaMemoryBars(config);
  if (!bars) return null;
  const totals = bars.map((b) => MEMORY_KINDS.reduce((s, k) => s + b[k.kind], 0));
  // Drawn to the scale of zero=0's plan, so that ZeRO's bars are shorter by what it saves.
  const widest = Math.max(...totals, ...(replicaMemoryBars({ ...config, zero: 0 }) ?? []).map((b) => MEMORY_KINDS.reduce((s, k) => s + b[k.kind], 0)));
  const shown = MEMORY_KINDS.filter((k) => bars.some((b) => b[k.kind] > 0));
  return (
    <div className="panel dp-memory" data-testid="memory-bars" style={{ padding: '8px 12px' }}>
      <h3>GPU memory per replica (planned{config.zero > 0 ? `, ZeRO stage ${config.zero}` : ''})</h3>
      {bars.map((b, rank) => (
        <div key={rank} style={{ display: 'flex', alignItems: 'center', gap: 8, margin: '2px 0' }}>
          <span style={{ color: replicaColor(rank), width: 80 }}>replica {rank}</span>
          <div style={{ display: 'flex', flex: 1, height: 12 }} aria-label={`replica ${rank}: ${formatBytes(totals[rank])}`}>
            {shown.map((k) => (
              <span key={k.kind} title={`${k.label}: ${formatBytes(b[k.kind])}`}
                style={{ width: `${(100 * b[k.kind]) / widest}%`, background: k.color }} />
            ))}
          </div>
          <span className="muted" style={{ width: 70, textAlign: 'right' }}>{formatBytes(totals[rank])}</span>
        </div>
      ))}
      <p className="muted">
        {shown.map((k) => (
          <span key={k.kind} style={{ marginRight: 12 }}>
            <span style={{ display: 'inline-block', width: 10, height: 10, background: k.color, marginRight: 4 }} />{k.label}
          </span>
        ))}
        Data sets not counted.
      </p>
    </div>
  );
}
