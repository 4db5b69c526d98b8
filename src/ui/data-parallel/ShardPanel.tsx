// The shard map with its label histograms: which samples each replica trained on this step or so far
// this epoch. MNIST shows sample thumbnails, the 2-D sets their points; both in replica colours, with
// the repeats that pad the epoch (droplast=0) marked. With shard=label the legend names each replica's
// classes; with balance=speed it gives each replica's share of every batch.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunConfig } from '../../core/config';
import { classLabels, type Split } from '../../core/datasets';
import type { MetricRecord } from '../../core/metrics';
import { labelOwner } from '../../core/sharding';
import { drawPoints, drawThumbnails, EPOCH_SAMPLES, thumbnailCells } from './draw-shard-map';
import { formatCount, formatPercent } from '../format';
import { LabelHistogram } from './LabelHistogram';
import { labelCounts, shardWindow, type ShardWindow, type ShardWindowMode } from './parallel-data';
import { PADDING_COLOR, replicaColor, UNUSED_COLOR } from './replica-colors';
import { useTrainingSet } from '../data/training-set';
import { replicaName, useClass } from '../class/class-store';

const SHARD_TEXT: Record<RunConfig['shard'], string> = {
  strided: 'strided: rank k takes every N-th sample of the shuffled global batch (DistributedSampler)',
  contiguous: 'contiguous: rank k owns the k-th block of sample ids',
  label: 'by label: class c belongs to rank c mod N (non-IID)',
};

function ShardCanvas({ shards, train, mnist }: { shards: ShardWindow; train: Split; mnist: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const cells = useMemo(() => (mnist ? thumbnailCells(shards, train.n) : null), [mnist, shards, train]);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    if (cells) drawThumbnails(canvas, cells, train);
    else drawPoints(canvas, shards, train);
  }, [cells, shards, train]);
  const label = mnist
    ? `MNIST thumbnails, ${cells?.length ?? 0} shown, coloured by replica`
    : `${formatCount(train.n)} training points, ${formatCount(shards.owner.size)} coloured by the replica that used them`;
  return (
    <canvas ref={ref} className={mnist ? 'shard-canvas shard-thumbnails' : 'shard-canvas shard-points'} role="img" aria-label={label}
      data-testid="shard-map" data-kind={mnist ? 'mnist' : 'points'} data-mode={shards.mode} data-step={shards.step}
      data-used={shards.owner.size} data-cells={cells?.length ?? train.n} data-padded={shards.paddedIds.size} />
  );
}

/** shard=label: the classes a replica owns, by name (the first few; a name holding a comma in quotes). */
function ownedClasses(names: readonly string[], rank: number, replicas: number): string {
  const SHOWN = 6;
  const owned = names.filter((_, c) => labelOwner(c, replicas) === rank).map((n) => (n.includes(',') ? JSON.stringify(n) : n));
  return owned.length > SHOWN ? `${owned.slice(0, SHOWN).join(', ')}, … (${owned.length} classes)` : owned.join(', ');
}

function caption(shards: ShardWindow, train: Split, mnist: boolean): string {
  const used = formatCount(shards.owner.size);
  const repeats = shards.paddedIds.size;
  const mark = mnist ? 'hatched' : 'ringed';
  if (shards.mode === 'step') {
    const rows = shards.byRank.reduce((s, ids) => s + ids.length, 0);
    const padding = repeats === 0 ? '' : ` ${formatCount(repeats)} of them ${repeats === 1 ? 'is a repeat' : 'are repeats'} of the epoch's first samples `
      + `(${mark}): droplast=0 pads the epoch to a multiple of the ${shards.byRank.length} replicas, as DistributedSampler does.`;
    return `Step ${shards.step} (epoch ${shards.epoch}): the ${formatCount(rows)} samples of the global batch${mnist ? ', replica by replica' : ''}.${padding}`;
  }
  const steps = shards.firstStep === shards.step ? `step ${shards.step}` : `steps ${shards.firstStep}–${shards.step}`;
  const padding = repeats === 0 ? '' : ` ${formatCount(repeats)} trained twice to pad the epoch (droplast=0)${mnist ? '' : `, ${mark}`}.`;
  const sample = mnist ? ` Shown: ${Math.min(EPOCH_SAMPLES, train.n)} samples evenly spaced by id; dimmed ones are not used yet.` : '';
  return `Epoch ${shards.epoch}, ${steps}: ${used} of ${formatCount(train.n)} samples used so far.${padding}${sample}`;
}

function ShardBody({ config, shards, mode }: { config: RunConfig; shards: ShardWindow; mode: ShardWindowMode }) {
  const set = useTrainingSet(config.dataset, config.seed);
  const dataset = set.state === 'ready' ? set.dataset : null;
  const counts = useMemo(() => (dataset ? labelCounts(shards.byRank, dataset.train.y, dataset.classes) : null), [shards, dataset]);
  const mnist = config.dataset === 'mnist';
  const names = useMemo(() => (dataset ? classLabels(dataset) : []), [dataset]);
  const members = useClass((s) => s.runNames);
  if (set.state === 'error') return <p className="chart-empty dp-empty">Could not load the training set: {set.message}</p>;
  if (!dataset || !counts) return <p className="chart-empty dp-empty">Loading the training set…</p>;
  return (
    <div className="shard-body">
      <div className="shard-map">
        <ShardCanvas shards={shards} train={dataset.train} mnist={mnist} />
        <p className="dp-note">{caption(shards, dataset.train, mnist)}</p>
        <ul className="replica-legend">
          {shards.byRank.map((_, rank) => (
            <li key={rank} data-testid="shard-legend-replica">
              <span className="swatch" style={{ background: replicaColor(rank) }} />{replicaName(members, rank)}
              {config.shard === 'label' && `: ${ownedClasses(names, rank, shards.byRank.length)}`}
              {shards.shares && <span className="muted" data-testid="replica-share">{`\u00a0· ${formatPercent(shards.shares[rank], 0)} of each batch`}</span>}
            </li>
          ))}
          {!(mnist && mode === 'step') && <li><span className="swatch" style={{ background: UNUSED_COLOR }} />{mnist ? 'not used yet' : 'unused'}</li>}
          {shards.paddedIds.size > 0 && (
            <li><span className="swatch" style={{ border: `2px dashed ${PADDING_COLOR}`, borderRadius: mnist ? 2 : '50%' }} />repeat (padding)</li>
          )}
        </ul>
      </div>
      <div className="shard-labels">
        <h3>Labels per replica <span className="muted">({mode === 'step' ? 'this step' : 'this epoch so far'})</span></h3>
        <LabelHistogram counts={counts} names={names} />
      </div>
    </div>
  );
}

export function ShardPanel({ config, records, empty }: { config: RunConfig; records: readonly MetricRecord[]; empty: string }) {
  const [mode, setMode] = useState<ShardWindowMode>('epoch');
  const shards = useMemo(() => shardWindow(records, mode), [records, mode]);
  return (
    <figure className="panel dp-card shard-panel" aria-label="Shard map">
      <div className="dp-card-head">
        <figcaption>Shard map</figcaption>
        <div className="segmented" role="group" aria-label="Shard window">
          {(['step', 'epoch'] as const).map((m) => (
            <button key={m} type="button" aria-pressed={mode === m} onClick={() => setMode(m)}>
              {m === 'step' ? 'This step' : 'This epoch'}
            </button>
          ))}
        </div>
      </div>
      {config.balance === 'speed' ? (
        <p className="dp-note" data-testid="balance-note">
          Sharding balanced by speed: each replica takes a contiguous slice of every shuffled global batch, sized by its measured
          speed (its compute time per sample over the previous epoch; the first epoch is cut equally, and no replica gets less than
          a tenth of an equal share). The global batch, its loss and its gradient stay those of one device.
        </p>
      ) : <p className="dp-note">Sharding {SHARD_TEXT[config.shard]}.</p>}
      {shards ? <ShardBody config={config} shards={shards} mode={mode} /> : <p className="chart-empty dp-empty">{empty}</p>}
    </figure>
  );
}
