// The model-parallel section (mode=pipeline or tensor): how the network is split across workers, what
// each holds (and its planned memory), and the measured timeline with the pipeline bubble. Hidden by hide=modelparallel.
import { useMemo } from 'react';
import type { RunConfig } from '../../core/config';
import type { MetricRecord } from '../../core/metrics';
import { useChartRecords } from '../charts/chart-records';
import { medianBubble } from '../../core/model-parallel';
import { recentStages, splitView } from './model-parallel-data';
import { ModelSplitView } from './ModelSplitView';
import { PartMemoryBars } from './PartMemoryBars';
import { PipelineTimeline } from './PipelineTimeline';
import { isActive, useLab, useShownConfig } from '../store';
import './model-parallel.css';

const RECENT_STEPS = 20;

function describe(c: RunConfig): string {
  if (c.mode === 'tensor') return `${c.stages} workers, each with its own GPU device and a slice of every split layer`;
  const copies = c.replicas > 1 ? ` × ${c.replicas} replicas (data × pipeline: each stage sums its gradients with its replicas)` : '';
  return `${c.stages} stages${copies}, each a worker with its own GPU device · ${c.microbatches} micro-batch${c.microbatches > 1 ? 'es' : ''} per batch${c.replicas > 1 ? ' shard' : ''} · ${c.schedule === 'gpipe' ? 'GPipe' : '1F1B'} schedule`;
}

export function ModelParallelPanel() {
  const config = useShownConfig();
  const records = useChartRecords();
  const active = useLab((s) => isActive(s.status));
  return useMemo(() => <Views config={config} records={records} active={active} />, [config, records, active]);
}

function Views({ config, records, active }: { config: RunConfig; records: MetricRecord[]; active: boolean }) {
  const view = useMemo(() => splitView(config), [config]);
  const recent = useMemo(() => recentStages(records, RECENT_STEPS), [records]);
  const latest = recent.length ? recent[recent.length - 1] : null;
  const title = config.mode === 'pipeline' ? 'Pipeline parallelism' : 'Tensor parallelism';
  return (
    <section className="data-parallel" aria-label={title} data-testid="model-parallel">
      <header className="panel dp-header">
        <div className="dp-title">
          <h2>{title}</h2>
          <span className="muted">{describe(config)}</span>
        </div>
      </header>
      {'error' in view ? (
        <p className="panel dp-note" role="alert">{view.error}</p>
      ) : (
        <>
          <div className="dp-grid">
            <ModelSplitView config={config} view={view} latest={latest} />
            <PipelineTimeline config={config} latest={latest} median={medianBubble(recent.map((r) => r.bubble))}
              empty={active ? 'Waiting for the workers’ first step…' : 'Press Train to draw each worker’s forwards, backwards and waits.'} />
          </div>
          <PartMemoryBars config={config} view={view} />
        </>
      )}
    </section>
  );
}
