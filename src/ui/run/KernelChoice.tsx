// Which matmul kernel runs each layer's products in this run (config `kernel`), and with kernel=auto how
// fast each kernel measured on this adapter (one whose output differs from 'blocked''s here is never chosen):
// the choice changes the speed, never the numbers. In a parallel
// run every worker (replica, stage or slice: its own device and shapes) chose its own, one row group each.
import type { KernelsRecord, MetricRecord } from '../../core/metrics';

const PRODUCT_TEXT = { forward: 'X·W + b (ReLU on hidden layers)', dW: 'Xᵀ·δ (dW, db)', dX: 'δ·Wᵀ (dX ⊙ ReLU′)' };

const SOURCE_TEXT = (r: KernelsRecord) => ({
  forced: 'chosen by the link',
  measured: `measured at start in ${r.tuneMs} ms`,
  cached: 'measured earlier on this adapter (by an earlier run, or another worker of this one)',
})[r.source];

/** Each worker's latest kernels record, in rank order (a worker restarted after a fault chose again). */
export function latestKernels(records: readonly MetricRecord[]): KernelsRecord[] {
  const byWorker = new Map<number, KernelsRecord>();
  for (const r of records) if (r.type === 'kernels') byWorker.set(r.worker?.rank ?? -1, r);
  return [...byWorker.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
}

export function KernelChoice({ records }: { records: KernelsRecord[] }) {
  const kernels = [...new Set(records.flatMap((r) => r.products.flatMap((p) => p.timings.map((t) => t.kernel))))];
  const chosen = [...new Set(records.flatMap((r) => r.products.map((p) => p.kernel)))].join(', ');
  const perWorker = records.some((r) => r.worker);
  return (
    <details className="kernel-choice" data-testid="kernel-choice">
      <summary>Matmul kernels: {chosen} ({perWorker ? `${records.length} workers, each on its own device and shapes` : SOURCE_TEXT(records[0])})</summary>
      <table>
        <thead>
          <tr>
            {perWorker && <th scope="col">Worker</th>}
            <th scope="col">Layer</th><th scope="col">Product</th><th scope="col">M×N×K</th><th scope="col">Kernel</th>
            {kernels.map((k) => <th scope="col" key={k}>{k} ms (GFLOP/s)</th>)}
          </tr>
        </thead>
        <tbody>
          {records.flatMap((r) => r.products.map((p, i) => (
            <tr key={`${r.worker?.rank ?? ''}-${p.layer}-${p.product}`} data-testid={`kernel-${r.worker ? `${r.worker.rank}-` : ''}${p.layer}-${p.product}`}>
              {perWorker && i === 0 && <th scope="row" rowSpan={r.products.length}>{r.worker?.name}<br /><small>{SOURCE_TEXT(r)}</small></th>}
              <td>{p.layer}</td><td>{PRODUCT_TEXT[p.product]}</td><td>{p.shape}</td><td><strong>{p.kernel}</strong></td>
              {kernels.map((k) => {
                const t = p.timings.find((x) => x.kernel === k);
                if (!t) return <td key={k}>—</td>;
                const speed = `${t.ms.toFixed(3)} (${t.gflops < 1 ? t.gflops.toPrecision(2) : t.gflops.toFixed(1)})`;
                return <td key={k} className={t.sameBits ? undefined : 'other-bits'}>{t.sameBits ? speed : `${speed}: other bits here, not used`}</td>;
              })}
            </tr>
          )))}
        </tbody>
      </table>
    </details>
  );
}
