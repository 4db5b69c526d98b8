// Which matmul kernel runs each layer's products in this run (config `kernel`), and with kernel=auto how
// fast each kernel measured on this adapter: the choice changes the speed, never the numbers.
import type { KernelsRecord } from '../../core/metrics';

const PRODUCT_TEXT = { forward: 'X·W + b (ReLU on hidden layers)', dW: 'Xᵀ·δ (dW, db)', dX: 'δ·Wᵀ (dX ⊙ ReLU′)' };

const SOURCE_TEXT = (r: KernelsRecord) => ({
  forced: 'chosen by the link',
  measured: `measured at start in ${r.tuneMs} ms`,
  cached: 'measured by an earlier run on this adapter',
})[r.source];

export function KernelChoice({ record }: { record: KernelsRecord }) {
  const kernels = [...new Set(record.products.flatMap((p) => p.timings.map((t) => t.kernel)))];
  return (
    <details className="kernel-choice" data-testid="kernel-choice">
      <summary>Matmul kernels: {[...new Set(record.products.map((p) => p.kernel))].join(', ')} ({SOURCE_TEXT(record)})</summary>
      <table>
        <thead>
          <tr>
            <th scope="col">Layer</th><th scope="col">Product</th><th scope="col">M×N×K</th><th scope="col">Kernel</th>
            {kernels.map((k) => <th scope="col" key={k}>{k} ms (GFLOP/s)</th>)}
          </tr>
        </thead>
        <tbody>
          {record.products.map((p) => (
            <tr key={`${p.layer}-${p.product}`} data-testid={`kernel-${p.layer}-${p.product}`}>
              <td>{p.layer}</td><td>{PRODUCT_TEXT[p.product]}</td><td>{p.shape}</td><td><strong>{p.kernel}</strong></td>
              {kernels.map((k) => {
                const t = p.timings.find((x) => x.kernel === k);
                return <td key={k}>{t ? `${t.ms.toFixed(3)} (${t.gflops < 1 ? t.gflops.toPrecision(2) : t.gflops.toFixed(1)})` : '—'}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
