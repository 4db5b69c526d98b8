// Label histogram per replica: how many samples of each class every replica trained on in the shard
// window. One small SVG bar chart per replica, all on the same scale, so non-IID shards stand out; the
// bars are labelled with the classes' names (cut short to fit, whole in the tooltip).
import { formatCount } from '../format';
import { replicaColor } from './replica-colors';
import { replicaName, useClass } from '../class/class-store';

const W = 220;
const H = 84;
const AXIS = 14;
/** About the width of one tick character, for cutting a name short. */
const TICK_CHAR = 5.6;

const fit = (name: string, width: number) => {
  const chars = Math.max(1, Math.floor(width / TICK_CHAR));
  return name.length > chars ? `${name.slice(0, Math.max(1, chars - 1))}…` : name;
};

export function LabelHistogram({ counts, names }: { counts: number[][]; names: readonly string[] }) {
  const classes = counts[0]?.length ?? 0;
  const top = Math.max(1, ...counts.flat());
  const runNames = useClass((s) => s.runNames);
  const label = (rank: number) => (runNames ? replicaName(runNames, rank) : `Replica ${rank}`);
  const slot = W / Math.max(1, classes);
  const bar = Math.min(18, slot * 0.72);
  return (
    <div className="histograms" data-testid="label-histogram">
      {counts.map((row, rank) => {
        const total = row.reduce((s, c) => s + c, 0);
        return (
          <figure key={rank} className="histogram" data-testid={`histogram-replica-${rank}`} data-counts={JSON.stringify(row)}>
            <figcaption>
              <span className="swatch" style={{ background: replicaColor(rank) }} />
              {label(rank)} <span className="muted">· {formatCount(total)} samples</span>
            </figcaption>
            <svg viewBox={`0 0 ${W} ${H + AXIS}`} role="img" aria-label={`${label(rank)} labels: ${row.map((c, k) => `class ${names[k]} ${c}`).join(', ')}`}>
              <line x1={0} x2={W} y1={H + 0.5} y2={H + 0.5} stroke="#cbd2dc" />
              {row.map((c, k) => {
                const h = (c / top) * (H - 4);
                const x = k * slot + (slot - bar) / 2;
                return (
                  <g key={k}>
                    <rect x={x} y={H - h} width={bar} height={h} rx={1.5} fill={replicaColor(rank)} opacity={c ? 0.9 : 0}>
                      <title>{`${label(rank)}, class ${names[k]}: ${formatCount(c)} samples`}</title>
                    </rect>
                    <g>
                      <title>{names[k]}</title>
                      <text x={k * slot + slot / 2} y={H + AXIS - 3} textAnchor="middle" className="histogram-tick">{fit(names[k], slot)}</text>
                    </g>
                  </g>
                );
              })}
            </svg>
          </figure>
        );
      })}
    </div>
  );
}
