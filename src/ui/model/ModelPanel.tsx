// The model views: the network and its memory, what it has learned (MNIST tabs, the 2-D decision
// boundary, an imported set's confusion matrix and test predictions), and the gradient check.
import { useMemo } from 'react';
import { layerSizes, modelLayout } from '../../core/model';
import { DecisionBoundary } from './DecisionBoundary';
import { GradientCheck } from '../explain/GradientCheck';
import { useHidden } from '../share/hidden';
import { MnistViews } from './MnistViews';
import { datasetShape, isCsvDataset } from '../../core/datasets';
import { ClassViews } from './ClassViews';
import { useRunWeights } from './model-weights';
import { NetworkView } from './NetworkView';
import { useShownConfig } from '../store';
import './model-views.css';

export function ModelPanel() {
  const config = useShownConfig();
  const layout = useMemo(() => {
    const { inputs, classes } = datasetShape(config.dataset);
    return modelLayout(layerSizes(config, inputs, classes));
  }, [config]);
  const weights = useRunWeights();
  const hideModel = useHidden('model');
  const hideCheck = useHidden('gradcheck');

  return (
    <>
      {!hideModel && (
        <section className="panel model-panel" aria-label="Model" data-testid="model-panel">
          <header className="model-head">
            <h2>Model</h2>
            <span className="muted" data-testid="model-weights-note">
              {weights ? `${weights.final ? 'final weights' : 'live weights'} at step ${weights.step}` : 'Train to see what the model learns.'}
            </span>
          </header>
          <div className="model-grid">
            <NetworkView layout={layout} config={config} />
            {config.dataset === 'mnist'
              ? <MnistViews layout={layout} weights={weights} seed={config.seed} />
              : layout.sizes[0] === 2 && <DecisionBoundary layout={layout} weights={weights} dataset={config.dataset} seed={config.seed} />}
            {isCsvDataset(config.dataset) && <ClassViews layout={layout} weights={weights} dataset={config.dataset} seed={config.seed} />}
          </div>
        </section>
      )}
      {!hideCheck && <GradientCheck layout={layout} config={config} />}
    </>
  );
}
