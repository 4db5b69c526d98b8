// The PyTorch script's memory options (codegen.ts writes the rest): the lab's optimizer as a torch optimizer
// class, zero=1 as ZeroRedundancyOptimizer, zero=2/3 as FSDP, and recompute=1 as torch.utils.checkpoint.
import type { RunConfig } from './config';

/** The ZeRO stage the script reproduces: 0 for local SGD, whose replicas keep their own state between averages. */
export const zeroStage = (c: RunConfig): number => (c.sync === 'step' ? c.zero : 0);

/** Whether the script wraps the model in FSDP (zero=2 and 3) rather than DDP. */
export const usesFsdp = (c: RunConfig): boolean => zeroStage(c) >= 2;

/** What the script trains under, in its first line and its comments. */
export function wrapperName(c: RunConfig): string {
  if (c.sync !== 'step') return 'local SGD';
  return ['DDP', 'DDP with ZeroRedundancyOptimizer', 'FSDP (SHARD_GRAD_OP)', 'FSDP (FULL_SHARD)'][zeroStage(c)];
}

/** Layers per checkpointed segment, as the lab cuts them (core/recompute.ts): ⌈√L⌉ of L dense layers. */
const segmentLayers = (layers: number): number => Math.ceil(Math.sqrt(layers));

/** Whether recompute=1 recomputes anything: with one or two dense layers there is one segment, the last, kept. */
export const checkpointed = (c: RunConfig): boolean => c.recompute === 1 && c.layers.length + 1 >= 3;

export function torchImports(c: RunConfig): string[] {
  return [
    ...(c.sync === 'step' && !usesFsdp(c) ? ['from torch.nn.parallel import DistributedDataParallel as DDP'] : []),
    ...(zeroStage(c) === 1 ? ['from torch.distributed.optim import ZeroRedundancyOptimizer'] : []),
    ...(usesFsdp(c) ? ['from torch.distributed.fsdp import FullyShardedDataParallel as FSDP, ShardingStrategy'] : []),
    ...(checkpointed(c) ? ['from torch.utils.checkpoint import checkpoint'] : []),
  ];
}

/** The module class of the model: nn.Sequential, or with recompute=1 the checkpointed one torchRecompute defines. */
export const modelClass = (c: RunConfig): string => (checkpointed(c) ? 'Recomputed' : 'nn.Sequential');

/** recompute=1: the segment length and the nn.Sequential whose forward checkpoints all segments but the last. */
export function torchRecompute(c: RunConfig): string[] {
  const layers = c.layers.length + 1;
  if (c.recompute !== 1) return [];
  if (!checkpointed(c)) {
    return [`# recompute=1: with ${layers} dense layer${layers > 1 ? 's' : ''} the lab's one segment of ⌈√L⌉ layers is the last, whose`,
      '# activations it keeps: nothing is recomputed, so the model is a plain nn.Sequential.'];
  }
  return [
    `SEGMENT = ${segmentLayers(layers)}  # recompute=1: ⌈√L⌉ layers per checkpointed segment, of L = ${layers} Linear layers`,
    '',
    '',
    'class Recomputed(nn.Sequential):',
    '    """recompute=1, as the lab does it: the forward keeps only the input of each segment of SEGMENT layers',
    '    and runs the segment again just before its backward; the last segment keeps its activations.',
    '    PyTorch 2\'s checkpoint_sequential(model, segments, x, use_reentrant=False) does the same but cuts by',
    '    modules (a Linear and its ReLU are two); 1.13\'s has only the re-entrant checkpoint, which gives the',
    '    weights no gradient when x needs none. Same numbers either way: the recomputation repeats the forward."""',
    '',
    '    def forward(self, x):',
    '        modules = list(self)',
    '        cut = 2 * SEGMENT  # a layer is a Linear and its ReLU',
    '        firsts = range(0, len(modules), cut)',
    '        for first in firsts[:-1]:',
    '            x = checkpoint(nn.Sequential(*modules[first:first + cut]), x, use_reentrant=False)',
    '        for module in modules[firsts[-1]:]:',
    '            x = module(x)',
    '        return x',
    '',
    '',
  ];
}

/** The lab's optimizer update as a torch optimizer, so that ZeroRedundancyOptimizer and FSDP can shard it. */
export function torchOptimizerClass(c: RunConfig): string[] {
  const name = optimizerClassName(c);
  const head = (doc: string[]) => [
    `class ${name}(torch.optim.Optimizer):`,
    ...doc,
    '',
    '    def __init__(self, params, lr):',
    '        super().__init__(params, {"lr": lr})',
    '',
    '    @torch.no_grad()',
    '    def step(self):',
    '        for group in self.param_groups:',
    '            lr = group["lr"]',
    '            for p in group["params"]:',
  ];
  if (c.optimizer === 'adam') {
    return [...head([
      '    """The lab\'s Adam, which is Keras\'s: ε is added to √v, and the bias correction is folded into α.',
      '    (torch.optim.Adam adds ε to the bias-corrected √v̂, a slightly different step.)"""']),
    '                state = self.state[p]',
    '                if not state:',
    '                    state.update(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p))',
    '                state["t"] += 1  # steps taken, counted from 1',
    '                t, m, v, g = state["t"], state["m"], state["v"], p.grad',
    '                alpha = lr * math.sqrt(1 - BETA2 ** t) / (1 - BETA1 ** t)',
    '                m.add_((g - m) * (1 - BETA1))',
    '                v.add_((g * g - v) * (1 - BETA2))',
    '                p.sub_(alpha * m / (v.sqrt() + EPSILON))'];
  }
  if (c.optimizer === 'momentum') {
    return [...head([
      '    """Keras SGD(momentum=0.9), like the lab: velocity = μ·velocity − lr·g; w += velocity.',
      '    (torch.optim.SGD keeps velocity = μ·velocity + g and steps by lr·velocity.)"""']),
    '                state = self.state[p]',
    '                if not state:',
    '                    state["velocity"] = torch.zeros_like(p)',
    '                velocity = state["velocity"]',
    '                velocity.copy_(MOMENTUM * velocity - lr * p.grad)',
    '                p.add_(velocity)'];
  }
  return [...head(['    """Plain SGD, as the lab writes it: w −= lr·g."""']), '                p.sub_(lr * p.grad)'];
}

const optimizerClassName = (c: RunConfig): string => ({ adam: 'LabAdam', momentum: 'LabMomentum', sgd: 'LabSGD' })[c.optimizer];

/** `net` (the model as the ranks train it) and `optimizer`, for the run's sync and ZeRO stage. */
export function torchWrap(c: RunConfig): string[] {
  const optimizer = optimizerClassName(c);
  if (c.sync !== 'step') {
    return ['net = model  # local SGD: each rank steps alone between weight averages',
      `optimizer = ${optimizer}(model.parameters(), lr=LR)`];
  }
  const stage = zeroStage(c);
  if (stage === 0) return ['net = DDP(model)  # all-reduces the gradients during backward', `optimizer = ${optimizer}(net.parameters(), lr=LR)`];
  if (stage === 1) {
    return [
      'net = DDP(model)  # all-reduces the gradients during backward',
      '# zero=1: ZeroRedundancyOptimizer gives each rank the optimizer state of its share of the parameters;',
      '# a rank updates only those and broadcasts them to the others after the step. It shares out whole',
      '# tensors, where the lab cuts the flat parameter buffer into equal 1/WORLD slices: the same update.',
      `optimizer = ZeroRedundancyOptimizer(net.parameters(), optimizer_class=${optimizer}, lr=LR)`,
    ];
  }
  const [strategy, what] = stage === 2
    ? ['SHARD_GRAD_OP', 'zero=2: FSDP\'s SHARD_GRAD_OP keeps the whole weights on every rank between forward and backward,\n'
      + '# and only this rank\'s 1/WORLD of the gradient (reduce-scattered) and of the optimizer state.']
    : ['FULL_SHARD', 'zero=3: FSDP\'s FULL_SHARD keeps only this rank\'s 1/WORLD of the weights, gradient and optimizer\n'
      + '# state; it all-gathers the weights before the forward and again before the backward, freeing them after.'];
  return [
    `# ${what}`,
    '# net.parameters() are then this rank\'s flat shard, which the optimizer updates elementwise.',
    '# FSDP on CPU with gloo needs a recent PyTorch 2 (device_id=cpu there); 1.13\'s FSDP runs on CUDA only, and',
    '# Debian\'s torch 1.13 cannot import it on Python 3.11, so the lab\'s export test skips FSDP there.',
    `net = FSDP(model, sharding_strategy=ShardingStrategy.${strategy}, device_id=device)`,
    `optimizer = ${optimizer}(net.parameters(), lr=LR)`,
  ];
}

/** The README's lines on the run's memory options, where it has any. */
export function memoryReadme(c: RunConfig): string[] {
  const lines = [
    ...(zeroStage(c) === 1 ? ['zero=1 is `torch.distributed.optim.ZeroRedundancyOptimizer` around the lab\'s optimizer (on DDP).'] : []),
    ...(usesFsdp(c) ? [`zero=${c.zero} is FSDP with \`ShardingStrategy.${c.zero === 2 ? 'SHARD_GRAD_OP' : 'FULL_SHARD'}\`: on CPU (gloo) it needs a recent PyTorch 2;`,
      'PyTorch 1.13\'s FSDP runs on CUDA only.'] : []),
    ...(c.accumulate > 1 ? [`accumulate=${c.accumulate} runs ${c.accumulate} micro-batches per step, all but the last under \`no_sync()\`.`] : []),
    ...(checkpointed(c) ? ['recompute=1 checkpoints segments of ⌈√L⌉ layers with `torch.utils.checkpoint` (use_reentrant=False).'] : []),
  ];
  return lines.length ? ['', ...lines] : [];
}
