// Named starting points for a run: the classic Keras MNIST example and quick 2-D demos.
import { DEFAULT_CONFIG, type RunConfig } from './config';

export interface Preset {
  name: string;
  title: string;
  config: RunConfig;
}

const twoD = (dataset: RunConfig['dataset'], title: string): Preset => ({
  name: dataset,
  title,
  config: { ...DEFAULT_CONFIG, dataset, layers: [16, 16], lr: 0.01, batch: 16, epochs: 20 },
});

export const PRESETS: readonly Preset[] = [
  { name: 'seed-mnist', title: 'MNIST 784-64-10, Adam, batch 32, 10 epochs (the classic Keras example)', config: DEFAULT_CONFIG },
  { name: 'quick-mnist', title: 'MNIST 784-64-10, Adam, batch 128, 3 epochs', config: { ...DEFAULT_CONFIG, batch: 128, epochs: 3 } },
  twoD('spiral', 'Three interleaved spiral arms'),
  twoD('circles', 'A ring around a disc'),
  twoD('xor', 'Four quadrants, XOR labels'),
  twoD('gauss', 'Two overlapping Gaussian blobs'),
];

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}
