// A stacked bar per replica of its planned GPU memory by kind (weights, gradients, optimizer state, backups,
// activations, staging), which moves as zero, accumulate and the batch change: ZeRO shrinks the optimizer
// state to each replica's shard and drops the backups. The model-parallel workers' bars draw with MemoryFigure too.
import type { RunConfig } from '../../core/config';
import type { MemoryKind } from '../../core/memory-plan';
import { formatBytes } from '../format';
import { MEMORY_KINDS, replicaMemoryBars, totalBytes } from './memory-bars';
import { replicaColor } from './replica-colors';

export function MemoryBars({ config }: { config: RunConfig }) {
  const bars = replicaMemoryBars(config);
  if (!bars) return null;
  // Drawn to the scale of zero=0's plan without recomputation, so that ZeRO's and recomputation's bars are shorter by what they save.
  const widest = Math.max(...bars.map(totalBytes), ...(replicaMemoryBars({ ...config, zero: 0, recompute: 0 }) ?? []).map(totalBytes));
  return (
    <MemoryFigure title={`GPU memory per replica (planned${config.zero > 0 ? `, ZeRO stage ${config.zero}` : ''}${config.recompute ? ', activations recomputed' : ''})`}
      bars={bars.map((bytes, rank) => ({ name: `replica ${rank}`, bytes }))} widest={widest} />
  );
}

/** Bars of planned bytes by kind, each named and coloured as its worker, to the scale of `widest` bytes. */
export function MemoryFigure({ title, bars, widest, activations = MEMORY_KINDS.find((k) => k.kind === 'activations')!.label }: {
  title: string; bars: { name: string; bytes: Record<MemoryKind, number> }[]; widest: number; activations?: string;
}) {
  const totals = bars.map((b) => totalBytes(b.bytes));
  const shown = MEMORY_KINDS.filter((k) => bars.some((b) => b.bytes[k.kind] > 0)).map((k) => (k.kind === 'activations' ? { ...k, label: activations } : k));
  return (
    <div className="panel dp-memory" data-testid="memory-bars" style={{ padding: '8px 12px' }}>
      <h3>{title}</h3>
      {bars.map(({ name, bytes: b }, rank) => (
        <div key={rank} style={{ display: 'flex', alignItems: 'center', gap: 8, margin: '2px 0' }}>
          <span style={{ color: replicaColor(rank), minWidth: 80 }}>{name}</span>
          <div style={{ display: 'flex', flex: 1, height: 12 }} aria-label={`${name}: ${formatBytes(totals[rank])}`}>
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
