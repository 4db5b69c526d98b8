// The Keras and PyTorch code generator: layer sizes, optimizer arguments and the data-parallel parts.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, serializeConfig, type RunConfig } from './config';
import { kerasCode, pytorchCode } from './codegen';
import { registerLocalDataset } from './datasets';

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

  it('says that model.fit trains the short last batch the lab drops with droplast=1', () => {
    expect(kerasCode({ ...SEED, droplast: 1 })).toContain('# droplast=1: the lab leaves out the short last batch of each epoch; model.fit trains it.\nmodel.fit(');
    expect(kerasCode(SEED)).not.toContain('droplast');
  });
});

describe('pytorchCode (the code view and train_ddp.py)', () => {
  it('builds Linear layers with the right widths and writes Keras Adam out with ε 1e-7', () => {
    const code = pytorchCode({ ...SEED, layers: [256, 128] });
    expect(code).toContain('nn.Linear(784, 256)');
    expect(code).toContain('nn.Linear(256, 128)');
    expect(code).toContain('nn.Linear(128, 10)');
    expect(code.match(/nn\.ReLU\(\)/g)).toHaveLength(2);
    expect(code).toContain('BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-7');
    expect(code).toContain('alpha = lr * math.sqrt(1 - BETA2 ** t) / (1 - BETA1 ** t)');
    expect(code).toContain('p.sub_(alpha * m / (v.sqrt() + EPSILON))');
    expect(code).not.toContain('torch.optim.Adam(');
    expect(code).toContain('LR = 0.001');
    expect(code).toContain('EPOCHS = 10');
    expect(code).toContain('net = DDP(model)');
    expect(code).toContain('(loss * (WORLD / global_rows)).backward()');
    expect(code).not.toContain('no_sync');
    expect(code).toContain(`run #${serializeConfig({ ...SEED, layers: [256, 128] })}`);
  });

  it('goes straight from input to output without hidden layers, with plain SGD', () => {
    const code = pytorchCode({ ...SEED, dataset: 'xor', layers: [], optimizer: 'sgd', lr: 0.1 });
    expect(code).toContain('nn.Linear(2, 2)');
    expect(code).not.toContain('ReLU');
    expect(code).toContain('p.sub_(lr * p.grad)');
    expect(code).not.toContain('BETA1');
  });

  it('writes momentum the Keras way', () => {
    const code = pytorchCode({ ...SEED, optimizer: 'momentum', lr: 0.05 });
    expect(code).toContain('MOMENTUM = 0.9');
    expect(code).toContain('class LabMomentum(torch.optim.Optimizer):');
    expect(code).toContain('velocity.copy_(MOMENTUM * velocity - lr * p.grad)');
  });

  it('accumulates micro-batches under no_sync, all-reducing in the last one\'s backward', () => {
    const code = pytorchCode({ ...SEED, replicas: 2, batch: 64, accumulate: 4 });
    expect(code).toContain('ACCUMULATE = 4  # micro-batches per rank per step: the batch of 64 is ACCUMULATE × micro-batch × ranks');
    expect(code).toContain('        parts = ids.tensor_split(min(ACCUMULATE, len(ids)))\n');
    expect(code).toContain('            with net.no_sync() if k < len(parts) - 1 else contextlib.nullcontext():\n');
    expect(code).toContain('                (loss * (WORLD / global_rows)).backward()\n');
    const local = pytorchCode({ ...SEED, replicas: 2, batch: 64, accumulate: 4, sync: 4 });
    expect(local).toContain('            with contextlib.nullcontext():\n');
    expect(local).not.toContain('no_sync');
  });

  it('tells Keras users what the schedule and accumulation do that model.fit does not', () => {
    const code = kerasCode({ ...SEED, warmup: 40, lrschedule: 'cosine', accumulate: 2 });
    expect(code).toContain('# The lab\'s learning rate warms up linearly over 40 steps to 0.001, then decays it (cosine) to 0 at the end of the run: pass a');
    expect(code).toContain('# accumulate=2: the lab adds up 2 micro-batches\' gradients per update');
    expect(kerasCode(SEED)).not.toContain('learning rate');
  });

  it('takes the rate of every step at LR without a schedule, and from LambdaLR with one', () => {
    const constant = pytorchCode(SEED);
    expect(constant).toContain('        lr = LR\n        optimizer.step()\n');
    expect(constant).not.toContain('LambdaLR');
    const linear = pytorchCode({ ...SEED, warmup: 30, lrschedule: 'linear' });
    expect(linear).toContain('WARMUP = 30');
    expect(linear).toContain('    return 1 - p\n');
    expect(linear).toContain('scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)');
    expect(linear).toContain('        lr = scheduler.get_last_lr()[0]  # this step\'s rate\n        optimizer.step()\n        scheduler.step()\n');
    expect(pytorchCode({ ...SEED, lrschedule: 'cosine' })).toContain('    return (1 + math.cos(math.pi * p)) / 2\n');
    const warmupOnly = pytorchCode({ ...SEED, warmup: 10 });
    expect(warmupOnly).toContain('    return 1.0\n');
    expect(warmupOnly).not.toContain('p = (t - 1 - WARMUP)');
  });

  it('says how to launch the replicas with torchrun and by hand, and names the sampler', () => {
    const code = pytorchCode({ ...SEED, replicas: 4, batch: 128, droplast: 1 });
    expect(code).toContain('torchrun --nproc_per_node=4 train_ddp.py');
    expect(code).toContain('RANK=k WORLD_SIZE=4 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 python3 train_ddp.py');
    expect(code).toContain('REPLICAS = 4');
    expect(code).toContain("DistributedSampler's scheme; droplast=1: whole global batches only, the short last one dropped");
    expect(pytorchCode({ ...SEED, replicas: 4, batch: 128 })).toContain('droplast=0: the last batch may be short, and the epoch is padded by repeating its first ids');
    expect(pytorchCode({ ...SEED, batch: 128 })).toContain('droplast=0: the last batch may be short).');
    expect(code).toContain('dist.init_process_group("nccl" if cuda else "gloo")');
  });

  it('averages the weights every k steps for local SGD instead of wrapping in DDP', () => {
    const code = pytorchCode({ ...SEED, replicas: 2, sync: 8 });
    expect(code).not.toContain('DDP(model)');
    expect(code).toContain('SYNC = 8');
    expect(code).toContain('if t % SYNC == 0 or t == total_steps:');
    expect(code).toContain('dist.all_reduce(p)');
    expect(code).toContain('p.mul_(1 / WORLD)');
  });
});

describe('pytorchCode: ZeRO, FSDP and recomputation', () => {
  const DP: RunConfig = { ...SEED, replicas: 2, batch: 64 };

  it('zero=0 steps the lab\'s optimizer class on DDP, with neither ZeroRedundancyOptimizer nor FSDP', () => {
    const code = pytorchCode(DP);
    expect(code).toContain('class LabAdam(torch.optim.Optimizer):');
    expect(code).toContain('net = DDP(model)  # all-reduces the gradients during backward\noptimizer = LabAdam(net.parameters(), lr=LR)\n');
    expect(code).toContain('# on PyTorch DDP: same model');
    expect(code).not.toMatch(/ZeroRedundancyOptimizer|FSDP|checkpoint\(/);
  });

  it('zero=1 wraps the same optimizer class in ZeroRedundancyOptimizer on DDP, and LambdaLR schedules it', () => {
    const code = pytorchCode({ ...DP, zero: 1, warmup: 5 });
    expect(code).toContain('from torch.distributed.optim import ZeroRedundancyOptimizer\n');
    expect(code).toContain('net = DDP(model)');
    expect(code).toContain('# zero=1: ZeroRedundancyOptimizer gives each rank the optimizer state of its share of the parameters;');
    expect(code).toContain('optimizer = ZeroRedundancyOptimizer(net.parameters(), optimizer_class=LabAdam, lr=LR)\n');
    expect(code).toContain('scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)');
    expect(code).toContain('# on PyTorch DDP with ZeroRedundancyOptimizer:');
  });

  it('zero=2 and 3 wrap the model in FSDP with SHARD_GRAD_OP and FULL_SHARD, evaluate through it and gather the weights for the checksum', () => {
    for (const [zero, strategy] of [[2, 'SHARD_GRAD_OP'], [3, 'FULL_SHARD']] as const) {
      const code = pytorchCode({ ...DP, zero, optimizer: 'momentum' });
      expect(code).toContain('from torch.distributed.fsdp import FullyShardedDataParallel as FSDP, ShardingStrategy\n');
      expect(code).not.toContain('DistributedDataParallel');
      expect(code).toContain(`# zero=${zero}: FSDP's ${strategy}`);
      expect(code).toContain(`net = FSDP(model, sharding_strategy=ShardingStrategy.${strategy}, device_id=device)\noptimizer = LabMomentum(net.parameters(), lr=LR)\n`);
      expect(code).toContain('        logits = net(x_test)  # FSDP gathers the sharded weights for the forward\n');
      expect(code).toContain('    with FSDP.summon_full_params(net):  # every rank takes part in gathering the whole weights\n        parts = [');
      expect(code).toContain('        return hashlib.sha256(');
      expect(code).toContain('1.13\'s FSDP runs on CUDA only');
    }
    const accumulated = pytorchCode({ ...DP, zero: 2, accumulate: 2 });
    expect(accumulated).toContain('FSDP reduce-scatters once, in the last micro-batch\'s backward.');
    expect(accumulated).toContain('with net.no_sync() if k < len(parts) - 1 else contextlib.nullcontext():');
  });

  it('recompute=1 checkpoints segments of ⌈√L⌉ layers (all but the last), and says when there is nothing to recompute', () => {
    const code = pytorchCode({ ...SEED, layers: [16, 16, 16, 16], recompute: 1 });
    expect(code).toContain('from torch.utils.checkpoint import checkpoint\n');
    expect(code).toContain('SEGMENT = 3  # recompute=1: ⌈√L⌉ layers per checkpointed segment, of L = 5 Linear layers');
    expect(code).toContain('class Recomputed(nn.Sequential):');
    expect(code).toContain('            x = checkpoint(nn.Sequential(*modules[first:first + cut]), x, use_reentrant=False)\n');
    expect(code).toContain('model = Recomputed(\n    nn.Linear(784, 16),');
    const small = pytorchCode({ ...SEED, recompute: 1 });
    expect(small).toContain('# recompute=1: with 2 dense layers the lab\'s one segment of ⌈√L⌉ layers is the last, whose');
    expect(small).toContain('model = nn.Sequential(');
    expect(small).not.toContain('checkpoint');
    expect(pytorchCode({ ...SEED, layers: [16, 16, 16] })).not.toContain('checkpoint');
  });
});

describe('an imported CSV set', () => {
  it('gives its own shapes to both languages and says how the lab split it', () => {
    registerLocalDataset('csv:iris', { inputs: 4, classes: 3 });
    const c: RunConfig = { ...SEED, dataset: 'csv:iris', layers: [16] };
    expect(kerasCode(c)).toContain('keras.Input(shape=(4,))');
    expect(kerasCode(c)).toContain('Dense(3, activation="softmax")');
    expect(kerasCode(c)).toContain('# Your CSV set "iris": x float32 [N, 4], y int labels 0..2; the lab holds out');
    expect(pytorchCode(c)).toContain('nn.Linear(4, 16)');
    expect(pytorchCode(c)).toContain('assert (inputs, classes) == (4, 3)');
  });
});
