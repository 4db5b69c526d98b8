// The network card's numbers: data set shapes, the 784-64-10 parameter count, and per-replica memory.
import { describe, expect, it } from 'vitest';
import { modelLayout } from '../../core/model';
import { datasetShape } from '../../core/datasets';
import { replicaMemory } from './model-shape';

describe('model shape', () => {
  it('knows each data set\'s inputs and classes without loading MNIST', () => {
    expect(datasetShape('mnist')).toEqual({ inputs: 784, classes: 10 });
    expect(datasetShape('spiral')).toEqual({ inputs: 2, classes: 3 });
    expect(datasetShape('xor')).toEqual({ inputs: 2, classes: 2 });
  });

  it('counts 784-64-10 as 50,890 parameters and sizes one replica\'s float32 buffers', () => {
    const layout = modelLayout([784, 64, 10]);
    expect(layout.parameterCount).toBe(50_890);
    const m = replicaMemory(layout, 32);
    // W1 50,176 + b1 64 + W2 640 + b2 padded to 64 floats.
    expect(m.parameters).toBe(50_944 * 4);
    expect(m.gradients).toBe(m.parameters);
    expect(m.adam).toBe(2 * m.parameters);
    // Forward: 32 rows of 784 + 64 + 10; backward: 32 rows of 64 + 10.
    expect(m.activations).toBe(32 * (858 + 74) * 4);
    expect(m.total).toBe(4 * m.parameters + m.activations);
  });
});
