// Writes the MNIST binaries (784 uint8 pixels + uint8 label per record) into public/data from the
// `mnist` package's per-digit JSON files. Run by the start/build/test/train scripts; output not committed.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MNIST_FILES } from '../core/datasets';
import { splitMnist } from '../core/mnist-split';

export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../public/data');

function digitFiles(): string[] {
  const require = createRequire(import.meta.url);
  const main = require.resolve('mnist');
  return Array.from({ length: 10 }, (_, d) => join(dirname(main), 'digits', `${d}.json`));
}

export function prepareMnist(): { train: number; test: number } {
  const sources = digitFiles();
  const outputs = Object.values(MNIST_FILES).map((f) => join(DATA_DIR, f));
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
  const fresh = outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= newest);
  if (!fresh) {
    const digits = sources.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { data: number[] }).data);
    const split = splitMnist(digits);
    mkdirSync(DATA_DIR, { recursive: true });
    writeFileSync(join(DATA_DIR, MNIST_FILES.train), split.train);
    writeFileSync(join(DATA_DIR, MNIST_FILES.test), split.test);
  }
  const records = (f: string) => statSync(join(DATA_DIR, f)).size / 785;
  return { train: records(MNIST_FILES.train), test: records(MNIST_FILES.test) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { train, test } = prepareMnist();
  console.log(`MNIST data ready in public/data: ${train} training and ${test} test samples`);
}
