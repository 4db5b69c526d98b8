// The CLI on the user's own data and weights: --data trains a CSV set on 2 replicas, a bad CSV exits 2
// naming file, line and column, and --init-weights starts a run from a --export folder; class names as
// labels train (said on stderr, carried by the TF.js export) and a ';' file with decimal commas (or a ','
// file of quoted decimal commas read with --decimal ,) trains to the weights of its ',' and '.' twin.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { twoDDataset } from '../core/datasets';
import { loadTfjsFolder } from '../core/export-testing';
import type { DoneRecord, MetricRecord, StepRecord } from '../core/metrics';
import { layerSizes, modelLayout } from '../core/model';
import { forwardBackwardRef, gatherRef } from '../core/reference';
import { batchIndices, epochOrder } from '../core/sampler';
import { importedStart } from './export';
import { parseArgs, UsageError } from './args';

const NODE_ARGS = ['--import', 'tsx', '--import', './src/cli/register-wgsl.js', 'src/cli/train.ts'];
const dir = mkdtempSync(join(tmpdir(), 'lab-cli-data-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const records = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as MetricRecord);

/** 300 rows, 3 features, 3 classes, with a header; row i has class i mod 3. */
function blobs(): string {
  const rows = ['f1,f2,f3,species'];
  for (let i = 0; i < 300; i++) rows.push(`${(i % 3) + 0.3 * Math.sin(i)},${0.3 * Math.cos(i)},${Math.sin(i * 7)},${i % 3}`);
  return `${rows.join('\n')}\n`;
}

describe('--data FILE.csv', () => {
  it('trains the CSV set on 2 replicas as dataset=csv:<file name>', () => {
    const file = join(dir, 'blobs.csv');
    writeFileSync(file, blobs());
    const r = cli('--data', file, '--set', 'layers=8', '--set', 'epochs=2', '--set', 'batch=30', '--set', 'replicas=2', '--set', 'lr=0.05', '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = records(r.stdout);
    expect(out.filter((x) => x.type === 'step')).toHaveLength(2 * (270 / 30));
    expect(out.filter((x) => x.type === 'eval')).toHaveLength(2);
    expect((out.at(-1) as DoneRecord).testAccuracy).toBeGreaterThan(0.5);
    expect(parseArgs(['--data', file]).config.dataset).toBe('csv:blobs');
  });

  it('exits 2 naming the file, line and column of a bad value', () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'a,b,label\n1,2,0\n3,x,1\n');
    const r = cli('--data', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: --data ${file}: line 3, column 2: "x" is not a number\n`);
    expect(cli('--link', '#dataset=csv:elsewhere').stderr).toMatch(/^error: dataset: csv:elsewhere is a CSV data set that was not imported here/);
  });
});

/** 150 iris-like rows with a header, the species named; row i has class i mod 3. `dec` writes the decimals. */
function iris(sep: string, dec: (v: string) => string): string {
  const species = ['Iris setosa', 'Iris versicolor', 'Iris virginica'];
  const rows = [['sepal length', 'sepal width', 'petal length', 'petal width', 'species'].join(sep)];
  for (let i = 0; i < 150; i++) {
    const c = i % 3;
    const x = [5 + c * 0.6 + 0.3 * Math.sin(i), 3.4 - c * 0.3 + 0.2 * Math.cos(i), 1.5 + c * 2 + 0.3 * Math.sin(3 * i), 0.2 + c * 0.8];
    rows.push([...x.map((v) => dec(v.toFixed(3))), species[c]].join(sep));
  }
  return `${rows.join('\r\n')}\r\n`;
}

describe('--data with class names and other dialects', () => {
  const train = (name: string, text: string, ...more: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    const r = cli('--data', file, '--set', 'layers=8', '--set', 'epochs=1', '--set', 'batch=15', '--set', 'lr=0.05', '--json', ...more);
    expect(r.status, r.stderr).toBe(0);
    return { stderr: r.stderr, done: records(r.stdout).at(-1) as DoneRecord };
  };

  it('trains iris with named species, says how they were numbered, and the TF.js export carries the names', async () => {
    const exported = join(dir, 'iris-tfjs');
    const us = train('iris.csv', iris(',', (v) => v), '--export', exported);
    expect(us.done.type).toBe('done');
    expect(us.stderr).toContain('csv:iris: 135 training and 15 test rows, 4 features, 3 classes; the labels are names: '
      + 'class ids in order of first appearance (0 "Iris setosa", 1 "Iris versicolor", 2 "Iris virginica")');
    const model = await loadTfjsFolder(exported);
    expect(model.getUserDefinedMetadata()).toEqual({ classNames: ['Iris setosa', 'Iris versicolor', 'Iris virginica'] });

    // The same data with ';' and decimal commas, and as quoted decimal commas read with --decimal ,: the same weights.
    const eu = train('iris-eu.csv', iris(';', (v) => v.replace('.', ',')));
    expect(eu.done.weightsSha256).toBe(us.done.weightsSha256);
    const quoted = train('iris-quoted.csv', iris(',', (v) => `"${v.replace('.', ',')}"`), '--decimal', ',');
    expect(quoted.done.weightsSha256).toBe(us.done.weightsSha256);
  });

  it('refuses a --decimal that is not . or , and one without --data', () => {
    expect(() => parseArgs(['--data', 'x.csv', '--decimal', ';'])).toThrow(new UsageError('--decimal needs . or , (got ";")'));
    expect(() => parseArgs(['--decimal', ','])).toThrow(new UsageError('--decimal needs --data'));
  });
});

describe('--init-weights', () => {
  it('starts from an exported model: the first loss is that model\'s on the first batch', async () => {
    const exported = join(dir, 'circles-tfjs');
    const base = ['--preset', 'circles', '--set', 'epochs=1', '--json'];
    const first = cli(...base, '--set', 'layers=8', '--export', exported);
    expect(first.status, first.stderr).toBe(0);
    const again = cli(...base, '--set', 'layers=8', '--init-weights', exported);
    expect(again.status, again.stderr).toBe(0);
    const { config } = parseArgs([...base, '--set', 'layers=8']);
    const dataset = twoDDataset('circles', config.seed);
    const { params } = await importedStart(exported, config, dataset);
    const layout = modelLayout(layerSizes(config, dataset.inputs, dataset.classes));
    const batch = gatherRef(dataset.train.x, dataset.train.y, 2, batchIndices(epochOrder(config.seed, 1, dataset.train.n), config.batch, 0));
    const expected = forwardBackwardRef(layout, params, batch.x, batch.y, config.batch, 1 / config.batch).lossSum / config.batch;
    const step = (out: string) => records(out).find((x): x is StepRecord => x.type === 'step')!;
    expect(Math.abs(step(again.stdout).loss - expected) / expected).toBeLessThan(1e-5);
    expect(step(again.stdout).loss).toBeLessThan(step(first.stdout).loss);
    expect(cli(...base, '--set', 'layers=4', '--init-weights', exported).stderr).toMatch(/do not fit this run's network/);
  });
});
