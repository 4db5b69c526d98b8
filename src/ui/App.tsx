// The lab page: settings and run controls on the left; progress, live charts and the data-parallel
// views (per-replica loss, worker lanes, shard map) on the right.
import { AlertRegion } from './AlertRegion';
import { ConfigForm } from './ConfigForm';
import { DataParallelPanel } from './DataParallelPanel';
import { useHashSync } from './hash-sync';
import { MetricsCharts } from './MetricsCharts';
import { ModelPanel } from './ModelPanel';
import { ProgressPanel } from './ProgressPanel';
import { RunControls } from './RunControls';
import { WebGpuNotice } from './WebGpuNotice';

export function App() {
  useHashSync();
  return (
    <div className="lab">
      <header className="lab-header">
        <h1>WebGPU Training Lab</h1>
        <p>An MLP trained in your browser with hand-written WGSL kernels. The address bar is the share link for these settings.</p>
      </header>
      <WebGpuNotice />
      <main className="lab-main">
        <aside className="panel sidebar">
          <RunControls />
          <ConfigForm />
        </aside>
        <section className="results" aria-label="Run">
          <AlertRegion />
          <ProgressPanel />
          <MetricsCharts />
          <ModelPanel />
          <DataParallelPanel />
        </section>
      </main>
    </div>
  );
}
