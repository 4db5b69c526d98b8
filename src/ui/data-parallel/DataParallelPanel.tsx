// The data-parallel section under the main charts: sync status, loss per replica, the worker lanes, the
// shard map and each replica's planned memory. With one replica there is nothing to split, and it says how to see it.
import { useMemo } from 'react';
import type { RunConfig } from '../../core/config';
import type { MetricRecord } from '../../core/metrics';
import { summarize } from '../run/run-summary';
import { MemoryBars } from './MemoryBars';
import { ReplicaLossChart } from './ReplicaLossChart';
import { ShardPanel } from './ShardPanel';
import { useChartRecords } from '../charts/chart-records';
import { isActive, useLab, useShownConfig } from '../store';
import { SyncStatus } from './SyncStatus';
import { WorkerTimeline } from './WorkerTimeline';
import { useClass } from '../class/class-store';

function describe(c: RunConfig, inClass: boolean): string {
  const sync = c.sync === 'step' ? 'gradients averaged every step' : `weights averaged every ${c.sync} steps (local SGD)`;
  const where = inClass ? 'each a member of the class on its own computer and GPU' : 'each a Web Worker with its own GPU device';
  return `${c.replicas} replicas, ${where} · ${c.allreduce} all-reduce · ${c.shard} shards · ${sync}`;
}

export function DataParallelPanel() {
  const config = useShownConfig();
  const ran = useLab((s) => s.runConfig !== null);
  const records = useChartRecords();
  const active = useLab((s) => isActive(s.status));
  // The same element while nothing it draws changed, so a status or form change does not redraw the views.
  return useMemo(() => <Views config={config} records={records} ran={ran} active={active} />, [config, records, ran, active]);
}

function Views({ config, records, ran, active }: { config: RunConfig; records: MetricRecord[]; ran: boolean; active: boolean }) {
  const totalSteps = summarize(records).timing?.totalSteps ?? null;
  const inClass = useClass((s) => s.runNames !== null);
  const empty = (what: string) => (active ? 'Waiting for the replicas’ first step…' : `Press Train to draw ${what}.`);

  if (config.replicas < 2) {
    return (
      <section className="panel data-parallel data-parallel-off" aria-label="Data parallelism" data-testid="data-parallel">
        <h2>Data parallelism</h2>
        <p className="dp-note">
          {ran ? 'This run trains on one device, so there are no replicas to compare.' : 'One replica: single-device training.'}{' '}
          Set <strong>Replicas</strong> to 2 or more to see each replica&apos;s loss, the shard map, the workers&apos; timelines and the
          parameter checks after every all-reduce.
        </p>
      </section>
    );
  }
  return (
    <section className="data-parallel" aria-label="Data parallelism" data-testid="data-parallel">
      <header className="panel dp-header">
        <div className="dp-title">
          <h2>Data parallelism</h2>
          <span className="muted">{describe(config, inClass)}</span>
        </div>
        <SyncStatus config={config} records={records} />
      </header>
      <div className="dp-grid">
        <ReplicaLossChart records={records} totalSteps={totalSteps} empty={empty('each replica’s loss')} />
        <WorkerTimeline config={config} records={records} empty={empty('the workers’ lanes')} />
      </div>
      <ShardPanel config={config} records={records} empty={empty('which samples each replica trains on')} />
      <MemoryBars config={config} />
    </section>
  );
}
