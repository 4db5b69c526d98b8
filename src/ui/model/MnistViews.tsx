// The MNIST views as tabs: draw a digit, the first-layer weights, a gallery of test digits, and the
// confusion matrix. The test-set views mount (and load the test set) only when opened.
import { useMemo, useState } from 'react';
import { classLabels } from '../../core/datasets';
import { initParams, type ModelLayout } from '../../core/model';
import { ConfusionMatrix } from './ConfusionMatrix';
import { DigitGallery } from './DigitGallery';
import { DrawDigit } from './DrawDigit';
import { ModelTabs } from './ModelTabs';
import type { RunWeights } from './model-weights';
import { useSplitPredictions } from './test-predictions';
import { useTrainingSet } from '../data/training-set';
import { WeightImages } from './WeightImages';

const TABS = [
  { key: 'draw', label: 'Draw a digit' },
  { key: 'weights', label: 'First-layer weights' },
  { key: 'gallery', label: 'Test digits' },
  { key: 'confusion', label: 'Confusion matrix' },
] as const;
type Tab = (typeof TABS)[number]['key'];

function TestSetView({ tab, layout, weights }: { tab: 'gallery' | 'confusion'; layout: ModelLayout; weights: RunWeights }) {
  const set = useTrainingSet('mnist', 0);
  const split = set.state === 'ready' ? set.dataset.test : null;
  const predictions = useSplitPredictions('mnist-test', layout, weights, split);
  if (set.state === 'error') return <p className="alert">{set.message}</p>;
  if (set.state !== 'ready') return <p className="chart-empty dp-empty">Loading the test set…</p>;
  return tab === 'gallery'
    ? <DigitGallery split={set.dataset.test} predictions={predictions} />
    : <ConfusionMatrix split={set.dataset.test} predictions={predictions} names={classLabels(set.dataset)} noun="digits" />;
}

interface Props {
  layout: ModelLayout;
  weights: RunWeights | null;
  /** Seeds the initial weights that the draw canvas uses before any run. */
  seed: number;
}

export function MnistViews({ layout, weights, seed }: Props) {
  const [tab, setTab] = useState<Tab>('draw');
  const initial = useMemo(() => (weights || tab !== 'draw' ? null : initParams(layout, seed)), [weights, tab, layout, seed]);
  const untrainedNote = <p className="chart-empty dp-empty">Train to see what the model learns.</p>;
  return (
    <ModelTabs tabs={TABS} tab={tab} onSelect={setTab}>
      {tab === 'draw' && <DrawDigit layout={layout} params={weights?.params ?? initial!} untrained={!weights} />}
      {tab === 'weights' && (weights
        ? <WeightImages layer={layout.layers[0]} params={weights.params} classes={layout.layers.length === 1} />
        : untrainedNote)}
      {(tab === 'gallery' || tab === 'confusion') && (weights ? <TestSetView tab={tab} layout={layout} weights={weights} /> : untrainedNote)}
    </ModelTabs>
  );
}
