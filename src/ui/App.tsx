// The lab page: run controls and settings on the left; progress, live charts, the model views, the
// data-parallel or model-parallel views, the math and the code on the right. Presenter mode enlarges text and charts.
//
// What the page is made of, one folder per thing the user sees (each holds its components, hooks and helpers):
//   run/             Train/Pause/Step/Reset, the settings form, progress, alerts, resume after a reload, WebGPU checks;
//                    run-controller.ts drives the coordinator and feeds its records into the store
//   charts/          live loss, accuracy and throughput curves (bounded series, redrawn at most once a frame)
//   data-parallel/   loss per replica, worker lanes, the shard map and label histograms, sync status
//   model-parallel/  how the model is split, the pipeline or tensor timeline and its bubble
//   model/           the network card, decision boundary, MNIST views (draw, weights, gallery, confusion matrix)
//   data/            the run's data set for the views, and your own CSV data (parsed in workers)
//   share/           the share link, the reproduction badge, the hash in the address bar, classroom hide=
//   import-export/   downloads (JSON Lines, CSV, Chrome trace, TF.js and PyTorch ZIPs) and imported weights
//   explain/         the math of the run in MathML, the same model as Keras and PyTorch code, the gradient check
//   class/           a class on a class server: the teacher's join link, QR code and roster; the student page (StudentApp)
// Beside them: main.tsx (entry), store.ts (zustand), format.ts, element-size.ts, offline.ts (service worker), lab.css.
import { Suspense } from 'react';
import { AlertRegion } from './run/AlertRegion';
import { CodePanel } from './explain/CodePanel';
import { ConfigForm } from './run/ConfigForm';
import { DataParallelPanel } from './data-parallel/DataParallelPanel';
import { ExplainPanel } from './explain/ExplainPanel';
import { ImportPanel } from './import-export/ImportPanel';
import { useHashSync } from './share/hash-sync';
import { useHidden } from './share/hidden';
import { MetricsCharts } from './charts/MetricsCharts';
import { ModelPanel } from './model/ModelPanel';
import { ModelParallelPanel } from './model-parallel/ModelParallelPanel';
import { ProgressPanel } from './run/ProgressPanel';
import { ResumeBanner } from './run/ResumeBanner';
import { RunControls } from './run/RunControls';
import { useLab } from './store';
import { useClass } from './class/class-store';
import { TeacherPanel } from './class/on-demand';
import { WebGpuNotice } from './run/WebGpuNotice';

export function App() {
  useHashSync();
  const presenter = useLab((s) => s.presenter);
  const setPresenter = useLab((s) => s.setPresenter);
  const dataParallelHidden = useHidden('dataparallel');
  const modelParallelHidden = useHidden('modelparallel');
  const modelParallel = useLab((s) => (s.runConfig ?? s.config).mode !== 'data');
  const teaching = useClass((s) => s.teacher !== null || s.teacherError !== null);
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
          {teaching && <Suspense><TeacherPanel /></Suspense>}
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
