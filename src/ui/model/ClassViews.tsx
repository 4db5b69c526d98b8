// What the model makes of an imported set's test rows, as tabs: the confusion matrix and the first rows'
// predictions, both by class name. The test set loads when a trained model is there to predict it.
import { useState } from 'react';
import type { DatasetName } from '../../core/config';
import { classLabels } from '../../core/datasets';
import type { ModelLayout } from '../../core/model';
import { useTrainingSet } from '../data/training-set';
import { ConfusionMatrix } from './ConfusionMatrix';
import type { RunWeights } from './model-weights';
import { ModelTabs } from './ModelTabs';
import { useSplitPredictions } from './test-predictions';
import { TestRows } from './TestRows';

const TABS = [
  { key: 'confusion', label: 'Confusion matrix' },
  { key: 'rows', label: 'Test predictions' },
] as const;
type Tab = (typeof TABS)[number]['key'];

interface Props {
  layout: ModelLayout;
  weights: RunWeights;
  dataset: DatasetName;
  seed: number;
  tab: Tab;
}

function TestSetView({ layout, weights, dataset, seed, tab }: Props) {
  const set = useTrainingSet(dataset, seed);
  const predictions = useSplitPredictions(`${dataset}-test`, layout, weights, set.state === 'ready' ? set.dataset.test : null);
  if (set.state === 'error') return <p className="alert">{set.message}</p>;
  if (set.state !== 'ready') return <p className="chart-empty dp-empty">Loading the test set…</p>;
  const names = classLabels(set.dataset);
  return tab === 'confusion'
    ? <ConfusionMatrix split={set.dataset.test} predictions={predictions} names={names} noun="rows" />
    : <TestRows split={set.dataset.test} predictions={predictions} names={names} />;
}

export function ClassViews({ weights, ...props }: Omit<Props, 'tab' | 'weights'> & { weights: RunWeights | null }) {
  const [tab, setTab] = useState<Tab>('confusion');
  return (
    <ModelTabs tabs={TABS} tab={tab} onSelect={setTab}>
      {weights ? <TestSetView {...props} weights={weights} tab={tab} /> : <p className="chart-empty dp-empty">Train to see what the model learns.</p>}
    </ModelTabs>
  );
}
