// The Keras and PyTorch code generator: layer sizes, optimizer arguments and the data-parallel parts.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunConfig } from './config';
import { kerasCode, pytorchCode } from './codegen';

const SEED: RunConfig = DEFAULT_CONFIG;

describe('kerasCode', () => {
  it('builds the 784-64-10 Adam example with the lab\'s constants', () => {
    const code = kerasCode(SEED);
    expect(code).toContain('keras.Input(shape=(784,))');
    expect(code).toContain('keras.layers.Dense(64, activation="relu")');
    expect(code).toContain('keras.layers.Dense(10, activation="softmax")');
    expect(code).toContain('keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)');
    expect(code).toContain('loss="sparse_categorical_crossentropy"');
    expect(code).toContain('batch_size=32, epochs=10');
    expect(code).toContain('set_random_seed(1)');
    expect(code).not.toContain('MirroredStrategy');
  });

  it('uses SGD with momentum 0.9, every hidden layer, and the 2-D shapes', () => {
    const code = kerasCode({ ...SEED, dataset: 'spiral', layers: [16, 8], optimizer: 'momentum', lr: 0.05 });
    expect(code).toContain('keras.Input(shape=(2,))');
    expect(code.indexOf('Dense(16,')).toBeLessThan(code.indexOf('Dense(8,'));
    expect(code).toContain('Dense(3, activation="softmax")');
    expect(code).toContain('keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)');
  });

  it('mentions MirroredStrategy for several replicas', () => {
    expect(kerasCode({ ...SEED, replicas: 4 })).toMatch(/# 4 replicas: .*MirroredStrategy/);
  });
});

describe('pytorchCode', () => {
  it('builds Linear layers with the right widths and Adam with eps=1e-7', () => {
    const code = pytorchCode({ ...SEED, layers: [256, 128] });
    expect(code).toContain('nn.Linear(784, 256)');
    expect(code).toContain('nn.Linear(256, 128)');
    expect(code).toContain('nn.Linear(128, 10)');
    expect(code.match(/nn\.ReLU\(\)/g)).toHaveLength(2);
    expect(code).toContain('torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)');
    expect(code).toContain('nn.CrossEntropyLoss()');
    expect(code).toContain('DataLoader(train_set, batch_size=32, shuffle=True, drop_last=False)');
    expect(code).toContain('for epoch in range(10):');
    expect(code).not.toContain('DistributedDataParallel');
  });

  it('goes straight from input to output without hidden layers', () => {
    const code = pytorchCode({ ...SEED, dataset: 'xor', layers: [], optimizer: 'sgd', lr: 0.1 });
    expect(code).toContain('nn.Linear(2, 2)');
    expect(code).not.toContain('ReLU');
    expect(code).toContain('torch.optim.SGD(model.parameters(), lr=0.1)');
  });

  it('uses DistributedDataParallel and DistributedSampler for replicas', () => {
    const code = pytorchCode({ ...SEED, replicas: 4, batch: 128, droplast: 1 });
    expect(code).toContain('torchrun --nproc_per_node=4');
    expect(code).toContain('DistributedDataParallel as DDP');
    expect(code).toContain('model = DDP(model)');
    expect(code).toContain('DistributedSampler(train_set, num_replicas=4, rank=dist.get_rank(), shuffle=True, seed=1, drop_last=True)');
    expect(code).toContain('batch_size=32, sampler=sampler');
    expect(code).toContain('sampler.set_epoch(epoch)');
  });

  it('averages the weights every k steps for local SGD instead of wrapping in DDP', () => {
    const code = pytorchCode({ ...SEED, replicas: 2, sync: 8 });
    expect(code).not.toContain('DDP(model)');
    expect(code).toContain('if step % 8 == 0:');
    expect(code).toContain('dist.all_reduce(p.data)');
    expect(code).toContain('p.data /= 2');
  });
});

