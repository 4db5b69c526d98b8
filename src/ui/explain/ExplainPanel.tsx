// The math of the current run in MathML: forward pass, loss, the data-parallel gradient or local SGD
// averaging (and which steps pad the epoch), pipeline micro-batches and their bubble, tensor-parallel
// sums, gradient accumulation, ZeRO's sharded state, the learning-rate schedule, and the chosen optimizer's update rule (Adam
// bias-corrected as Keras). Hidden by hide=explain.
import type { ReactNode } from 'react';
import type { RunConfig } from '../../core/config';
import { ADAM, MOMENTUM } from '../../core/codegen';
import { datasetShape } from '../../core/datasets';
import { checkpoints } from '../../core/recompute';
import { epochPadding, shardSpec } from '../../core/sharding';
import { batchMakeup } from '../run/batch-makeup';
import { formatCount } from '../format';
import { useHidden } from '../share/hidden';
import { Formula, Mfrac, Mi, Mn, Mo, Mrow, Msqrt, Msub, Msup, Munderover } from './math';
import { useShownConfig } from '../store';
import { useTrainingSet } from '../data/training-set';

const eta = <Mi>η</Mi>;
const sum = (from: ReactNode, to: ReactNode) => <Munderover><Mo>∑</Mo>{from}{to}</Munderover>;
const arrow = <Mo>←</Mo>;

function Step({ title, children, note }: { title: string; children: ReactNode; note: ReactNode }) {
  return (
    <div className="explain-step">
      <h3>{title}</h3>
      {children}
      <p className="explain-note">{note}</p>
    </div>
  );
}

/** The rate the update formulas use: lr, or each step's rate of the schedule. */
const rateNote = (c: RunConfig) => (c.warmup === 0 && c.lrschedule === 'constant' ? `η = ${c.lr}` : `η is step t's rate η_t (peak ${c.lr})`);

function Optimizer({ c }: { c: RunConfig }) {
  if (c.optimizer === 'sgd') {
    return (
      <Step title="Update: SGD" note={<>Each weight moves against its gradient by the learning rate; {rateNote(c)}.</>}>
        <Formula label="w gets w minus eta g"><Mi>w</Mi>{arrow}<Mi>w</Mi><Mo>−</Mo>{eta}<Mi>g</Mi></Formula>
      </Step>
    );
  }
  if (c.optimizer === 'momentum') {
    return (
      <Step title="Update: SGD with momentum" note={<>The velocity m keeps μ = {MOMENTUM} of its past, so steps along a steady direction grow; {rateNote(c)}.</>}>
        <Formula label="m gets mu m minus eta g"><Mi>m</Mi>{arrow}<Mi>μ</Mi><Mi>m</Mi><Mo>−</Mo>{eta}<Mi>g</Mi></Formula>
        <Formula label="w gets w plus m"><Mi>w</Mi>{arrow}<Mi>w</Mi><Mo>+</Mo><Mi>m</Mi></Formula>
      </Step>
    );
  }
  const b1t = <Msup><Msub><Mi>β</Mi><Mn>1</Mn></Msub><Mi>t</Mi></Msup>;
  const b2t = <Msup><Msub><Mi>β</Mi><Mn>2</Mn></Msub><Mi>t</Mi></Msup>;
  return (
    <Step title="Update: Adam (bias-corrected, as Keras)"
      note={<>β₁ = {ADAM.beta1}, β₂ = {ADAM.beta2}, ε = {ADAM.epsilon}, {rateNote(c)}; t counts the steps. m and v average the gradient and its square; α undoes their start at zero.</>}>
      <Formula label="m gets m plus (1 minus beta1)(g minus m)">
        <Mi>m</Mi>{arrow}<Mi>m</Mi><Mo>+</Mo><Mrow><Mo>(</Mo><Mn>1</Mn><Mo>−</Mo><Msub><Mi>β</Mi><Mn>1</Mn></Msub><Mo>)</Mo></Mrow>
        <Mrow><Mo>(</Mo><Mi>g</Mi><Mo>−</Mo><Mi>m</Mi><Mo>)</Mo></Mrow>
      </Formula>
      <Formula label="v gets v plus (1 minus beta2)(g squared minus v)">
        <Mi>v</Mi>{arrow}<Mi>v</Mi><Mo>+</Mo><Mrow><Mo>(</Mo><Mn>1</Mn><Mo>−</Mo><Msub><Mi>β</Mi><Mn>2</Mn></Msub><Mo>)</Mo></Mrow>
        <Mrow><Mo>(</Mo><Msup><Mi>g</Mi><Mn>2</Mn></Msup><Mo>−</Mo><Mi>v</Mi><Mo>)</Mo></Mrow>
      </Formula>
      <Formula label="alpha equals eta times the square root of 1 minus beta2 to the t, over 1 minus beta1 to the t">
        <Mi>α</Mi><Mo>=</Mo><Mfrac><Mrow>{eta}<Msqrt><Mn>1</Mn><Mo>−</Mo>{b2t}</Msqrt></Mrow><Mrow><Mn>1</Mn><Mo>−</Mo>{b1t}</Mrow></Mfrac>
      </Formula>
      <Formula label="w gets w minus alpha m over (square root of v plus epsilon)">
        <Mi>w</Mi>{arrow}<Mi>w</Mi><Mo>−</Mo><Mi>α</Mi><Mfrac><Mi>m</Mi><Mrow><Msqrt><Mi>v</Mi></Msqrt><Mo>+</Mo><Mi>ε</Mi></Mrow></Mfrac>
      </Formula>
    </Step>
  );
}

function ModelParallel({ c }: { c: RunConfig }) {
  const k = <Mi>k</Mi>;
  const j = <Mi>j</Mi>;
  const p = c.stages;
  const m = Math.min(c.microbatches, c.batch);
  if (c.mode === 'pipeline') {
    return (
      <Step title={`Pipeline: ${p} stages, ${m} micro-batch${m > 1 ? 'es' : ''} of the batch`}
        note={<>Stage k holds a run of layers. The batch of B = {c.batch} is cut into m = {m} micro-batches of B<sub>j</sub> samples; each
          stage adds up its gradient over them before one update, so the sum is the whole batch&apos;s gradient. With p stages of equal
          time, each waits p − 1 slots at the start and end of the step: the bubble is (p − 1)/(m + p − 1) = {((p - 1) / (m + p - 1)).toFixed(3)}.
          {c.schedule === '1f1b' ? ' 1F1B keeps at most p − k micro-batches of activations on stage k instead of all m.' : ' GPipe keeps all m micro-batches of activations until the backwards.'}</>}>
        <Formula label="g equals the sum over j of B j over B times g j">
          <Mi>g</Mi><Mo>=</Mo>{sum(<Mrow>{j}<Mo>=</Mo><Mn>1</Mn></Mrow>, <Mi>m</Mi>)}
          <Mfrac><Msub><Mi>B</Mi>{j}</Msub><Mi>B</Mi></Mfrac><Msub><Mi>g</Mi>{j}</Msub>
        </Formula>
        <Formula label="bubble equals p minus 1 over m plus p minus 1">
          <Mi>bubble</Mi><Mo>=</Mo><Mfrac><Mrow><Mi>p</Mi><Mo>−</Mo><Mn>1</Mn></Mrow><Mrow><Mi>m</Mi><Mo>+</Mo><Mi>p</Mi><Mo>−</Mo><Mn>1</Mn></Mrow></Mfrac>
        </Formula>
      </Step>
    );
  }
  const W = (n: number) => <Msub><Mi>W</Mi><Mrow><Mn>{n}</Mn><Mo>,</Mo>{k}</Mrow></Msub>;
  return (
    <Step title={`Tensor parallel: ${p} workers split each pair of layers`}
      note={<>Worker k holds columns of W<sub>1</sub> (its own hidden units h<sub>k</sub>, no communication) and the matching rows of
        W<sub>2</sub>; the output is the sum of the workers&apos; partial products, added up across workers before the bias. Backward
        mirrors it: the gradient of the input is a sum across workers too.</>}>
      <Formula label="h k equals ReLU of x W 1 k plus b 1 k">
        <Msub><Mi>h</Mi>{k}</Msub><Mo>=</Mo><Mi>ReLU</Mi><Mrow><Mo>(</Mo><Mi>x</Mi>{W(1)}<Mo>+</Mo><Msub><Mi>b</Mi><Mrow><Mn>1</Mn><Mo>,</Mo>{k}</Mrow></Msub><Mo>)</Mo></Mrow>
      </Formula>
      <Formula label="y equals the sum over k of h k W 2 k, plus b 2">
        <Mi>y</Mi><Mo>=</Mo>{sum(<Mrow>{k}<Mo>=</Mo><Mn>0</Mn></Mrow>, <Mrow><Mi>N</Mi><Mo>−</Mo><Mn>1</Mn></Mrow>)}
        <Msub><Mi>h</Mi>{k}</Msub>{W(2)}<Mo>+</Mo><Msub><Mi>b</Mi><Mn>2</Mn></Msub>
      </Formula>
    </Step>
  );
}

/**
 * Where replicas and one device part ways: with droplast=0 the epoch is padded to a multiple of N, so the
 * step that trains the repeats is not one device's step; with droplast=1 every step is a whole batch.
 */
function PaddingNote({ c }: { c: RunConfig }) {
  const set = useTrainingSet(c.dataset, c.seed);
  if (c.droplast) {
    return c.shard === 'strided'
      ? <> With droplast=1 every step is a whole batch of one device&apos;s order (the samples that do not fill one are left out), so this holds at every step of every epoch.</>
      : null;
  }
  if (set.state !== 'ready') return null;
  const n = set.dataset.train.n;
  const repeats = epochPadding(shardSpec(c), n);
  if (repeats === 0) return null;
  const last = n + repeats - (Math.ceil((n + repeats) / c.batch) - 1) * c.batch;
  const s = repeats > 1 ? 's' : '';
  const which = c.shard === 'strided'
    ? <>so the last step trains {formatCount(last)} samples, the repeat{s} among them, where one device trains the {formatCount(last - repeats)} left: that step is not the single-device step</>
    : <>so the steps that draw the repeat{s} average over {repeats > 1 ? 'them' : 'it'} too, unlike any single-device step</>;
  return (
    <> The {formatCount(n)} training samples are not a multiple of N = {c.replicas}: with droplast=0 the epoch is padded with {repeats} repeat{s} of
      its first samples, as DistributedSampler does, {which}. droplast=1 leaves the short last batch out instead, and then every step matches.</>
  );
}

function Parallel({ c }: { c: RunConfig }) {
  const k = <Mi>k</Mi>;
  if (c.mode !== 'data') return <ModelParallel c={c} />;
  if (c.replicas < 2) return null;
  if (c.sync === 'step') {
    return (
      <Step title={`Data parallel: ${c.replicas} replicas, gradients summed every step`}
        note={<>Replica k computes g<sub>k</sub>, the mean gradient over its B<sub>k</sub> samples of the batch; weighting by B<sub>k</sub>/B
          makes the sum exactly the gradient of the whole batch, so {c.replicas} replicas train like one device with batch {c.batch}.
          {c.balance === 'speed' && <> With balance=speed the B<sub>k</sub> differ, each following its replica&apos;s measured speed, and the
            weighting keeps the sum exact.</>}
          <PaddingNote c={c} /></>}>
        <Formula label="g equals the sum over k of B k over B times g k">
          <Mi>g</Mi><Mo>=</Mo>{sum(<Mrow>{k}<Mo>=</Mo><Mn>0</Mn></Mrow>, <Mrow><Mi>N</Mi><Mo>−</Mo><Mn>1</Mn></Mrow>)}
          <Mfrac><Msub><Mi>B</Mi>{k}</Msub><Mi>B</Mi></Mfrac><Msub><Mi>g</Mi>{k}</Msub>
        </Formula>
      </Step>
    );
  }
  return (
    <Step title={`Local SGD: ${c.replicas} replicas, weights averaged every ${c.sync} steps`}
      note={<>Each replica updates its own weights w<sub>k</sub> with its own gradient g<sub>k</sub> for {c.sync} steps; then all replicas
        take the average. Between averages they drift apart, more so when the shards differ (shard=label).</>}>
      <Formula label="every k steps, w k gets one over N times the sum of the replicas' weights">
        <Msub><Mi>w</Mi>{k}</Msub>{arrow}<Mfrac><Mn>1</Mn><Mi>N</Mi></Mfrac>
        {sum(<Mrow><Mi>j</Mi><Mo>=</Mo><Mn>0</Mn></Mrow>, <Mrow><Mi>N</Mi><Mo>−</Mo><Mn>1</Mn></Mrow>)}<Msub><Mi>w</Mi><Mi>j</Mi></Msub>
      </Formula>
    </Step>
  );
}

/** Gradient accumulation: k micro-batches' gradients added up before the one all-reduce and update. */
function Accumulate({ c }: { c: RunConfig }) {
  if (c.accumulate === 1) return null;
  const a = <Mi>a</Mi>;
  const runs = {
    data: `${c.replicas > 1 ? 'each replica' : 'the device'} runs its micro-batches one after another`,
    pipeline: `${c.replicas > 1 ? 'each pipeline replica' : 'the pipeline'} runs its schedule once per micro-batch (cut into ${c.microbatches} pipeline micro-batch${c.microbatches > 1 ? 'es' : ''}), one after another`,
    tensor: 'the workers run the micro-batches one after another',
  }[c.mode];
  return (
    <Step title={`Gradient accumulation: ${c.accumulate} micro-batches per update`}
      note={<>The batch of B = {batchMakeup(c)}: {runs}, adding each one&apos;s gradient (already
        scaled by 1/B) into the same buffer, and only then {c.replicas > 1 && c.mode !== 'tensor' ? 'all-reduces once and ' : ''}updates.
        Activations are held for one micro-batch at a time; the update is the whole batch&apos;s, so the run trains like accumulate=1 up to
        float32 rounding of the sums.</>}>
      <Formula label="g equals the sum over a of B a over B times g a">
        <Mi>g</Mi><Mo>=</Mo>{sum(<Mrow>{a}<Mo>=</Mo><Mn>1</Mn></Mrow>, <Mi>k</Mi>)}
        <Mfrac><Msub><Mi>B</Mi>{a}</Msub><Mi>B</Mi></Mfrac><Msub><Mi>g</Mi>{a}</Msub>
      </Formula>
    </Step>
  );
}

/** ZeRO: what each replica keeps of the state, and the exchange that replaces the gradient all-reduce. */
function Zero({ c }: { c: RunConfig }) {
  if (c.zero === 0 || c.mode !== 'data' || c.replicas === 1) return null;
  const N = <Mi>N</Mi>;
  const k = <Mi>k</Mi>;
  const state = c.optimizer === 'adam' ? 'Adam’s m and v' : c.optimizer === 'momentum' ? 'the momentum velocity m' : 'no optimizer state (SGD keeps none)';
  return (
    <Step title={`ZeRO stage ${c.zero}: the state sharded over ${c.replicas} replicas`}
      note={<>Replica k owns 1/N of the P weights (the range S_k, on 64-float bounds) and keeps {state} for that range alone.
        {c.zero === 3 ? <>Stage 3 (FSDP) keeps only w[S_k] of the weights too. Before each layer&apos;s forward, and again before its
          backward, that layer&apos;s weights are all-gathered from every replica&apos;s S_k into one layer-sized buffer, which the
          next layer overwrites; each layer&apos;s gradient is reduce-scattered as soon as the backward has it, so replica k keeps
          the sum for S_k only. No replica holds the whole model or its whole gradient, and nothing is gathered after the
          update of w[S_k]: two all-gathers and a reduce-scatter, {c.allreduce === 'ring' ? '3K(N−1)/N per replica against DDP’s 2K(N−1)/N.'
            : 'through the coordinator 3K a step (zero-padded layers), where zero=0 sends K.'} The test set is evaluated the same
          way: every replica takes part in each layer&apos;s all-gather, replica 0 runs the layers.
          {c.accumulate > 1 ? <> With accumulate={c.accumulate} (FSDP&apos;s no_sync) every micro-batch gathers each layer before its
            forward and its backward, and its gradient is added into a whole-model accumulator: the replica holds the whole
            gradient again while its {c.accumulate} micro-batches add up, in their order as at zero=0, and only the last
            micro-batch&apos;s backward reduce-scatters each layer&apos;s sum. {c.allreduce === 'ring'
              ? `2K(N−1)/N of gathers per micro-batch and K(N−1)/N of reduce-scatter a step: ${2 * c.accumulate + 1}K(N−1)/N in all.`
              : `Through the coordinator 2K per micro-batch and K a step: ${2 * c.accumulate + 1}K in all.`}</> : null}</>
          : <>Each step the gradient is reduce-scattered, the ring&apos;s first half, so replica k gets the sum for S_k only; it updates
          w[S_k] and the weights are all-gathered, the ring&apos;s second half: {c.allreduce === 'ring'
            ? 'the same traffic as the all-reduce, 2K(N−1)/N per replica.'
            : 'with star both go through the coordinator, so each replica sends its gradient and then its weights (zero-padded): 2K a step, where zero=0 sends K.'}</>}
        {c.zero === 2 ? ' Stage 2 keeps only S_k of the summed gradient too: the backward runs layer by layer into one layer-sized gradient buffer, and each layer\'s gradient is reduce-scattered as soon as it is done, so no replica holds the whole gradient (with accumulate > 1 or recompute=1 the step\'s gradient adds up in one whole buffer first, as at stage 1).' : ''}
        {' '}The update is elementwise, so every step gives the same weights as zero=0. The run&apos;s state is the union of the
        shards: the coordinator assembles it for checkpoints and restarts.</>}>
      <Formula label="g on S k equals the sum over replicas of their gradients on S k">
        <Msub><Mi>g</Mi><Msub><Mi>S</Mi>{k}</Msub></Msub><Mo>=</Mo>
        {sum(<Mrow><Mi>j</Mi><Mo>=</Mo><Mn>0</Mn></Mrow>, <Mrow>{N}<Mo>−</Mo><Mn>1</Mn></Mrow>)}<Msub><Mi>g</Mi><Mrow><Mi>j</Mi><Mo>,</Mo><Msub><Mi>S</Mi>{k}</Msub></Mrow></Msub>
      </Formula>
      <Formula label="w on S k gets the optimizer's update from g on S k, then w is all-gathered">
        <Msub><Mi>w</Mi><Msub><Mi>S</Mi>{k}</Msub></Msub>{arrow}<Mi>update</Mi><Mrow><Mo>(</Mo><Msub><Mi>w</Mi><Msub><Mi>S</Mi>{k}</Msub></Msub><Mo>,</Mo>
        <Msub><Mi>g</Mi><Msub><Mi>S</Mi>{k}</Msub></Msub><Mo>)</Mo></Mrow><Mo>;</Mo><Mi>w</Mi><Mo>=</Mo>
        <Mi>all-gather</Mi><Mrow><Mo>(</Mo><Msub><Mi>w</Mi><Msub><Mi>S</Mi><Mn>0</Mn></Msub></Msub><Mo>,</Mo><Mo>…</Mo><Mo>)</Mo></Mrow>
      </Formula>
    </Step>
  );
}

/** Activation recomputation: which activations stay through the forward pass, and which run again before the backward. */
function Recompute({ c }: { c: RunConfig }) {
  if (c.recompute === 0 || c.mode === 'tensor') return null;
  const L = c.layers.length + 1;
  const s = Math.ceil(Math.sqrt(L));
  // Activation buffers a_0 (the input) … a_L (the logits): kept ones and the shared ones, against L + 1 without.
  const plan = checkpoints(Array.from({ length: L + 1 }, () => 1), true);
  const shared = plan.sharedWidths.length;
  const held = plan.shared.filter((i) => i < 0).length + shared;
  return (
    <Step title={c.mode === 'pipeline' ? 'Recomputation: each stage keeps its micro-batches\' inputs' : `Recomputation: segments of ⌈√${L}⌉ = ${s} layers`}
      note={c.mode === 'pipeline'
        ? <>A stage keeps, for every micro-batch in flight, only the activation it received (and the gradient of its output); its
          layers&apos; activations are one shared set. Before micro-batch k&apos;s backward the stage runs k&apos;s forward again (R in the
          timeline) unless its forward ran last. The same kernels on the same input give the same bits: the memory of one
          micro-batch&apos;s interior instead of one per micro-batch in flight, for one more forward per backward.</>
        : <>As torch.utils.checkpoint.checkpoint_sequential: the input of every segment of {s} layers keeps its own buffer, the
          activations inside the segments share {shared} buffer{shared === 1 ? '' : 's'}, and before the backward reaches a segment its
          forward runs again from the kept input (the last segment&apos;s are still there).{' '}
          {held > L ? `With ${L} dense layer${L > 1 ? 's' : ''} that is as many buffers as without: nothing is saved; try 3 hidden layers or more.`
            : `${held} activation buffers instead of ${L + 1}, for up to one more forward per layer.`} The same bits as recompute=0.
          {c.zero === 3 && c.replicas > 1 ? ' At ZeRO stage 3 each layer that runs its forward again is all-gathered again for it, a third gather of that layer per micro-batch.' : ''}</>}>
      <Formula label="a l equals f l of a l minus 1, recomputed from the segment's kept input">
        <Msub><Mi>a</Mi><Mi>l</Mi></Msub><Mo>=</Mo><Msub><Mi>f</Mi><Mi>l</Mi></Msub><Mrow><Mo>(</Mo><Msub><Mi>a</Mi><Mrow><Mi>l</Mi><Mo>−</Mo><Mn>1</Mn></Mrow></Msub><Mo>)</Mo></Mrow>
      </Formula>
    </Step>
  );
}

/** The learning rate of step t: a linear warm-up over W steps, then held or decayed to 0 at the run's end (T steps). */
function LrSchedule({ c }: { c: RunConfig }) {
  if (c.warmup === 0 && c.lrschedule === 'constant') return null;
  const t = <Mi>t</Mi>;
  const W = <Mi>W</Mi>;
  const decay = {
    constant: <>{eta}</>,
    linear: <>{eta}<Mrow><Mo>(</Mo><Mn>1</Mn><Mo>−</Mo><Mi>p</Mi><Mo>)</Mo></Mrow></>,
    cosine: <>{eta}<Mfrac><Mrow><Mn>1</Mn><Mo>+</Mo><Mi>cos</Mi><Mi>π</Mi><Mi>p</Mi></Mrow><Mn>2</Mn></Mfrac></>,
  }[c.lrschedule];
  return (
    <Step title={`Learning rate: ${c.warmup > 0 ? `warm-up over ${c.warmup} steps, then ` : ''}${c.lrschedule}`}
      note={<>η = {c.lr} is the peak. {c.warmup > 0 ? <>The warm-up climbs linearly from η/W to η over W = {c.warmup} steps, so the first
        updates of a large batch, taken while the weights are still random, are small (Goyal et al. 2017). </> : null}
        {c.lrschedule === 'constant' ? 'After it the rate stays at η.' : <>After it p = (t − 1 − W)/(T − W) runs from 0 towards 1 over the
          run&apos;s T steps, and the rate decays towards 0 just after the last step.</>} The charts plot the rate of every step.</>}>
      {c.warmup > 0 && (
        <Formula label="eta t equals eta times t over W, for t up to W">
          <Msub>{eta}{t}</Msub><Mo>=</Mo>{eta}<Mfrac>{t}{W}</Mfrac><Mo>,</Mo><Mi>t</Mi><Mo>≤</Mo>{W}
        </Formula>
      )}
      <Formula label={`eta t after the warm-up: ${c.lrschedule}`}>
        <Msub>{eta}{t}</Msub><Mo>=</Mo>{decay}
      </Formula>
    </Step>
  );
}

export function ExplainPanel() {
  const c = useShownConfig();
  if (useHidden('explain')) return null;
  const shape = datasetShape(c.dataset);
  const sizes = [shape.inputs, ...c.layers, shape.classes].join(' → ');
  return (
    <section className="panel explain-panel" aria-label="The math" data-testid="explain">
      <h2>The math of this run</h2>
      <div className="explain-grid">
        <Step title={`Forward: ${sizes}`}
          note={<>Each hidden layer is W x + b followed by ReLU (max(0, ·)); the last layer&apos;s softmax turns scores into
            probabilities over the {shape.classes} classes.</>}>
          <Formula label="y equals f of x and W">
            <Mi>y</Mi><Mo>=</Mo><Mi>f</Mi><Mrow><Mo>(</Mo><Mi>x</Mi><Mo>;</Mo><Mi>W</Mi><Mo>)</Mo></Mrow>
          </Formula>
        </Step>
        <Step title={`Loss: mean over the batch (B = ${c.batch})`}
          note={<>ℓ<sub>i</sub> = −log y<sub>i</sub>[c<sub>i</sub>] is the cross-entropy of sample i with label c<sub>i</sub>; backprop gives g = ∂L/∂W.</>}>
          <Formula label="L equals one over B times the sum of l i">
            <Mi>L</Mi><Mo>=</Mo><Mfrac><Mn>1</Mn><Mi>B</Mi></Mfrac>
            {sum(<Mrow><Mi>i</Mi><Mo>=</Mo><Mn>1</Mn></Mrow>, <Mi>B</Mi>)}<Msub><Mi>ℓ</Mi><Mi>i</Mi></Msub>
          </Formula>
        </Step>
        <Parallel c={c} />
        <Accumulate c={c} />
        <Zero c={c} />
        <Recompute c={c} />
        <LrSchedule c={c} />
        <Optimizer c={c} />
      </div>
    </section>
  );
}
