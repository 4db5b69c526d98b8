// The network drawn layer by layer, each layer coloured by the worker that holds it: whole layers for
// pipeline stages, column or row slices for tensor parallelism; and a table of what each worker holds.
import type { RunConfig } from '../../core/config';
import type { StagesRecord } from '../../core/metrics';
import { workerName } from '../../parallel/members';
import { formatBytes, formatCount, formatPercent } from '../format';
import { roleText, type SplitView } from './model-parallel-data';
import { replicaColor } from '../data-parallel/replica-colors';

/** A part of the split: a stage (whichever replica holds it) or a tensor-parallel worker. */
const partName = (config: RunConfig, k: number) => workerName({ ...config, replicas: 1 }, k);

function LayerCard({ config, view, layer }: { config: RunConfig; view: SplitView; layer: number }) {
  const { model, plan } = view;
  const shape = model.layers[layer];
  const holders = plan.workers.flatMap((w, k) => w.parts.filter((p) => p.layer === layer).map((p) => ({ k, p })));
  const role = holders[0].p.role;
  const replicated = role === 'whole' && holders.length > 1;
  // Column slices split the outputs, row slices the inputs: the bar is drawn along the split dimension.
  const extent = role === 'row' ? shape.inputs : shape.outputs;
  const size = (h: (typeof holders)[number]) => (role === 'row' ? h.p.rows[1] - h.p.rows[0] : h.p.cols[1] - h.p.cols[0]);
  const text = replicated ? `replicated on all ${holders.length} workers` : role === 'whole' ? `held by ${partName(config, holders[0].k)}` : roleText(role, holders.map(size));
  return (
    <li className="mp-layer" data-testid="mp-layer" data-role={replicated ? 'replicated' : role}>
      <span className="mp-layer-title">Layer {layer + 1}: {shape.inputs} → {shape.outputs}{shape.relu ? ', ReLU' : ', softmax'}</span>
      <span className="mp-bar" role="img" aria-label={text} title={text}>
        {replicated ? (
          <span className="mp-slice mp-replicated" style={{ width: '100%', background: `linear-gradient(90deg, ${holders.map((h, i) => `${replicaColor(h.k)} ${(100 * i) / holders.length}% ${(100 * (i + 1)) / holders.length}%`).join(', ')})` }} />
        ) : holders.map((h) => (
          <span key={h.k} className="mp-slice" data-worker={h.k} style={{ width: `${(100 * size(h)) / extent}%`, background: replicaColor(h.k) }}>
            {role === 'whole' ? `stage ${h.k}` : size(h)}
          </span>
        ))}
      </span>
      <span className="muted mp-layer-note">{text}</span>
    </li>
  );
}

export function ModelSplitView({ config, view, latest }: { config: RunConfig; view: SplitView; latest: StagesRecord | null }) {
  const { model, plan, held } = view;
  return (
    <figure className="panel dp-card" aria-label="How the network is split" data-testid="split-view">
      <div className="dp-card-head">
        <figcaption>The network, coloured by the worker that holds each part</figcaption>
      </div>
      <ol className="mp-layers">
        {model.layers.map((_, l) => <LayerCard key={l} config={config} view={view} layer={l} />)}
      </ol>
      <table className="dp-table">
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">Layers</th>
            <th scope="col" title="Weights and biases this worker holds, and its share of the whole model">Parameters</th>
            <th scope="col" title="Training activations kept for the micro-batches in flight (measured in the run)">Activations</th>
            <th scope="col" title="Activations and gradients sent in the last step">Sent / step</th>
          </tr>
        </thead>
        <tbody>
          {plan.workers.map((w, k) => (
            <tr key={k} data-testid={`mp-worker-${k}`}>
              <th scope="row"><span className="swatch" style={{ background: replicaColor(k) }} />{partName(config, k)}</th>
              <td>{w.parts.map((p) => p.layer + 1).join(', ')}</td>
              <td>{formatCount(held[k].params)} ({formatPercent(held[k].share)})</td>
              <td data-testid={`activation-bytes-${k}`} data-value={latest?.activationBytes[k]}>{latest ? formatBytes(latest.activationBytes[k]) : '—'}</td>
              <td>{latest ? formatBytes(latest.bytesSent[k]) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
