// The lab page: run controls and settings on the left; progress, live charts, the model views, the
// data-parallel or model-parallel views, the math and the code on the right. Presenter mode enlarges text and charts.
import { AlertRegion } from './AlertRegion';
import { CodePanel } from './CodePanel';
import { ConfigForm } from './ConfigForm';
import { DataParallelPanel } from './DataParallelPanel';
import { ExplainPanel } from './ExplainPanel';
import { ImportPanel } from './ImportPanel';
import { useHashSync } from './hash-sync';
import { useHidden } from './hidden';
import { MetricsCharts } from './MetricsCharts';
import { ModelPanel } from './ModelPanel';
import { ModelParallelPanel } from './ModelParallelPanel';
import { ProgressPanel } from './ProgressPanel';
import { ResumeBanner } from './ResumeBanner';
import { RunControls } from './RunControls';
import { useLab } from './store';
import { WebGpuNotice } from './WebGpuNotice';

export function App() {
  useHashSync();
  const presenter = useLab((s) => s.presenter);
  const setPresenter = useLab((s) => s.setPresenter);
  const dataParallelHidden = useHidden('dataparallel');
  const modelParallelHidden = useHidden('modelparallel');
  const modelParallel = useLab((s) => (s.runConfig ?? s.config).mode !== 'data');
  return (
    <div className={presenter ? 'lab presenter' : 'lab'}>
      <header className="lab-header">
        <h1>WebGPU Training Lab</h1>
        <p>An MLP trained in your browser with hand-written WGSL kernels. The address bar is the share link for these settings.</p>
        <button type="button" className="button small presenter-toggle" aria-pressed={presenter} onClick={() => setPresenter(!presenter)}
          title="Larger text and charts for a projector">
          Presenter mode
        </button>
      </header>
      <WebGpuNotice />
      <main className="lab-main">
        <aside className="panel sidebar" aria-label="Settings and run controls">
          <RunControls />
          <ConfigForm />
          <ImportPanel />
        </aside>
        <section className="results" aria-label="Run">
          <AlertRegion />
          <ResumeBanner />
          <ProgressPanel />
          <MetricsCharts />
          <ModelPanel />
          {modelParallel ? !modelParallelHidden && <ModelParallelPanel /> : !dataParallelHidden && <DataParallelPanel />}
          <ExplainPanel />
          <CodePanel />
        </section>
      </main>
    </div>
  );
}
