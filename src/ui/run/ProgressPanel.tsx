// Where the run stands: status, epoch, step, throughput, time left, losses, test accuracy per epoch, the
// adapter, replicas that failed and were replaced, and the final weights checksum that identifies a
// reproducible run (and whether it matched).
import { useMemo, type ReactNode } from 'react';
import { Downloads } from '../import-export/Downloads';
import { KernelChoice, latestKernels } from './KernelChoice';
import { formatCount, formatDuration, formatLoss, formatPercent, formatSeconds } from '../format';
import { summarize } from './run-summary';
import { ReproductionBadge } from '../share/ReproductionBadge';
import { useLab, type RunStatus } from '../store';

const STATUS_TEXT: Record<RunStatus, string> = {
  idle: 'Idle', running: 'Running', paused: 'Paused', done: 'Done', stopped: 'Stopped', error: 'Error',
};

function Stat({ label, testId, value, title, children }: { label: string; testId: string; value?: number; title?: string; children: ReactNode }) {
  return (
    <div className="stat" title={title}>
      <dt>{label}</dt>
      <dd data-testid={testId} data-value={value}>{children}</dd>
    </div>
  );
}

export function ProgressPanel() {
  const status = useLab((s) => s.status);
  const runConfig = useLab((s) => s.runConfig);
  const adapter = useLab((s) => s.adapter);
  const records = useLab((s) => s.records);
  const { firstStep, lastStep, timing, evals, done, faults } = useMemo(() => summarize(records), [records]);
  const lastEval = evals.at(-1);
  const kernels = useMemo(() => latestKernels(records), [records]);
  const fraction = timing ? timing.step / timing.totalSteps : 0;
  const etaMs = timing && timing.step > 0 && status === 'running' ? (timing.elapsedMs / timing.step) * (timing.totalSteps - timing.step) : null;

  return (
    <section className="panel progress-panel" aria-label="Progress">
      <div className="progress-head">
        <span className={`status-pill status-${status}`} data-testid="run-status">{STATUS_TEXT[status]}</span>
        <div className="progress-bar" role="progressbar" aria-label="Training progress"
          aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(fraction * 100)}>
          <div className="progress-fill" style={{ width: `${fraction * 100}%` }} />
        </div>
        <span className="adapter" data-testid="adapter" title="WebGPU adapter of the training worker">
          {adapter ?? (status === 'running' ? 'Starting the GPU…' : 'No run yet')}
        </span>
      </div>
      <dl className="stats">
        <Stat label="Epoch" testId="epoch" value={lastStep?.epoch}>
          {lastStep && runConfig ? `${lastStep.epoch} / ${runConfig.epochs}` : '—'}
        </Stat>
        <Stat label="Step" testId="step" value={lastStep?.step}>
          {lastStep ? `${formatCount(lastStep.step)}${timing ? ` / ${formatCount(timing.totalSteps)}` : ''}` : '—'}
        </Stat>
        <Stat label="Samples/s" testId="samples-per-sec" value={timing?.averageSamplesPerSec}
          title="Average over training time: start-up, pauses and test-set evaluations left out">
          {timing ? formatCount(timing.averageSamplesPerSec) : '—'}
        </Stat>
        <Stat label="Train time" testId="elapsed" value={timing?.elapsedMs}>
          {timing ? formatDuration(timing.elapsedMs) : '—'}
        </Stat>
        <Stat label="Start-up" testId="startup" value={timing?.startupMs}
          title="From Train until the first step began: workers, GPU devices, data and shader compilation">
          {timing ? `ready after ${formatSeconds(timing.startupMs)}` : '—'}
        </Stat>
        <Stat label="Time left" testId="eta" value={etaMs ?? undefined}>
          {etaMs !== null ? `≈ ${formatDuration(etaMs)}` : '—'}
        </Stat>
        <Stat label="Loss, first → last" testId="loss" value={lastStep?.loss}>
          {firstStep && lastStep ? (
            <>
              <span data-testid="first-loss" data-value={firstStep.loss}>{formatLoss(firstStep.loss)}</span>
              {' → '}
              <span data-testid="last-loss" data-value={lastStep.loss}>{formatLoss(lastStep.loss)}</span>
            </>
          ) : '—'}
        </Stat>
        <Stat label="Test accuracy" testId="test-accuracy" value={lastEval?.testAccuracy}>
          {lastEval ? formatPercent(lastEval.testAccuracy, 2) : '—'}
        </Stat>
      </dl>
      {evals.length > 0 && (
        <ol className="epoch-list" aria-label="Test accuracy per epoch">
          {evals.map((e) => (
            <li key={e.epoch}><span>epoch {e.epoch}</span> {formatPercent(e.testAccuracy, 2)}</li>
          ))}
        </ol>
      )}
      {faults.length > 0 && (
        <ul className="faults" aria-label="Replica failures">
          {faults.map((f) => (
            <li key={`${f.step}-${f.rank}`}>After step {f.step}: {f.message}; every replica restarted from step {f.restartedFrom}.</li>
          ))}
        </ul>
      )}
      {kernels.length > 0 && <KernelChoice records={kernels} />}
      {done && (
        <p className="checksum">
          Weights SHA-256 <code data-testid="weights-sha256">{done.weightsSha256}</code>
        </p>
      )}
      <div className="progress-foot">
        <ReproductionBadge done={done} />
        <Downloads />
      </div>
    </section>
  );
}
