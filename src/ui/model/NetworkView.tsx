// The network card: layers and tensor shapes, the parameter count, and the memory each replica holds
// (every replica keeps a full copy of parameters, gradients and optimizer state).
import type { RunConfig } from '../../core/config';
import type { ModelLayout } from '../../core/model';
import { formatBytes, formatCount } from '../format';
import { replicaMemory } from './model-shape';

export function NetworkView({ layout, config }: { layout: ModelLayout; config: RunConfig }) {
  const rows = Math.ceil(config.batch / config.replicas);
  const memory = replicaMemory(layout, rows);
  const memoryRows: [string, number][] = [
    ['parameters', memory.parameters],
    ['gradients', memory.gradients],
    ['Adam m and v', memory.adam],
    [`activations, ${formatCount(rows)} rows`, memory.activations],
  ];
  return (
    <figure className="model-card network-view" data-testid="network-view">
      <figcaption>Network</figcaption>
      <p className="network-sizes" data-testid="network-sizes">{layout.sizes.join(' → ')}</p>
      <table className="dp-table model-table">
        <thead>
          <tr><th>Layer</th><th>W</th><th>b</th><th>then</th><th>params</th></tr>
        </thead>
        <tbody>
          {layout.layers.map((l, i) => (
            <tr key={l.w.name}>
              <th>{i + 1 < layout.layers.length ? `hidden ${i + 1}` : 'output'}</th>
              <td><code>[{l.w.shape.join(', ')}]</code></td>
              <td><code>[{l.b.shape[0]}]</code></td>
              <td>{l.relu ? 'ReLU' : 'softmax'}</td>
              <td>{formatCount(l.w.size + l.b.size)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th colSpan={4}>Parameters</th>
            <td data-testid="parameter-count" data-value={layout.parameterCount}>{formatCount(layout.parameterCount)}</td>
          </tr>
        </tfoot>
      </table>
      <table className="dp-table model-table" aria-label="Memory per replica">
        <thead>
          <tr><th>Memory per replica (float32)</th><th>bytes</th></tr>
        </thead>
        <tbody>
          {memoryRows.map(([name, bytes]) => (
            <tr key={name}><th>{name}</th><td>{formatBytes(bytes)}</td></tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th>total{config.replicas > 1 ? ` × ${config.replicas} replicas = ${formatBytes(memory.total * config.replicas)}` : ''}</th>
            <td data-testid="replica-memory" data-value={memory.total}>{formatBytes(memory.total)}</td>
          </tr>
        </tfoot>
      </table>
      <p className="dp-note">
        Activations: each layer&apos;s outputs and, for backprop, their gradients. Flat buffers include the padding that
        aligns each tensor to 64 floats ({formatCount(layout.totalFloats)} floats).
        {config.replicas > 1 ? ' Each replica holds a full copy.' : ''}
      </p>
    </figure>
  );
}
