// CSV import: header or not, the label column, chunked input, errors that name line and column, the
// train/test split, the stored data file, and links that name a CSV set (known here or not).
import { describe, expect, it } from 'vitest';
import { parseLink, serializeConfig } from './config';
import { CsvError, CsvReader, csvDataset, csvDatasetName, type CsvOptions } from './csv';
import { decodeDataFile, encodeDataFile } from './data-file';
import { datasetShape, registerLocalDataset } from './datasets';

const ROWS = Array.from({ length: 20 }, (_, i) => `${i},${i / 4},${-i}e-1,${i % 3}`);
const WITH_HEADER = ['a,b,c,class', ...ROWS].join('\n');

function read(text: string, options?: CsvOptions) {
  const r = new CsvReader(options);
  r.push(text);
  return r.end();
}

function errorOf(text: string, options?: CsvOptions): CsvError {
  try {
    read(text, options);
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('CsvReader', () => {
  it('reads a header, features and the last column as labels', () => {
    const t = read(`${WITH_HEADER}\n`);
    expect(t.header).toEqual(['a', 'b', 'c', 'class']);
    expect([t.n, t.inputs, t.classes]).toEqual([20, 3, 3]);
    expect(Array.from(t.x.subarray(3 * 5, 3 * 6))).toEqual([5, 1.25, Math.fround(-0.5)]);
    expect(t.y[5]).toBe(2);
  });

  it('reads without a header, with CRLF, blank lines and quoted numbers', () => {
    const t = read(ROWS.map((r, i) => (i === 3 ? `"3", 0.75 ,-3e-1,0` : r)).join('\r\n\r\n'));
    expect(t.header).toBeNull();
    expect(t.n).toBe(20);
    expect(Array.from(t.x.subarray(9, 12))).toEqual([3, 0.75, Math.fround(-0.3)]);
  });

  it('takes the label column by number or by header name', () => {
    const byNumber = read(ROWS.map((r) => r.split(',').reverse().join(',')).join('\n'), { labelColumn: 1 });
    expect(Array.from(byNumber.y)).toEqual(Array.from(read(ROWS.join('\n')).y));
    const byName = read(['class,a', ...Array.from({ length: 12 }, (_, i) => `${i % 2},${i}`)].join('\n'), { labelColumn: 'class' });
    expect(Array.from(byName.x)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('gives the same table for any chunking', () => {
    const whole = read(WITH_HEADER);
    for (const size of [1, 7, 64]) {
      const r = new CsvReader();
      for (let i = 0; i < WITH_HEADER.length; i += size) r.push(WITH_HEADER.slice(i, i + size));
      expect(r.end()).toEqual(whole);
    }
  });

  it('names the line and column of what it cannot read', () => {
    const bad = [...ROWS];
    bad[6] = '6,abc,1,0';
    expect(errorOf(['a,b,c,class', ...bad].join('\n')).message).toBe('line 8, column 2: "abc" is not a number');
    bad[6] = '6,1,0';
    expect(errorOf(bad.join('\n')).message).toBe('line 7: 3 columns, but the first row has 4');
    bad[6] = '6,1,2,1.5';
    expect(errorOf(bad.join('\n')).message).toBe('line 7, column 4: the label 1.5 is not a class id (an integer 0..255)');
    bad[6] = '6,1,,1';
    expect(errorOf(bad.join('\n'))).toMatchObject({ line: 7, column: 3 });
    expect(errorOf(WITH_HEADER, { labelColumn: 'label' }).message).toBe('line 1: no column named "label" in the header (a, b, c, class)');
    expect(errorOf(ROWS.join('\n'), { labelColumn: 9 }).message).toBe('line 1: label column 9 does not exist (the rows have 4 columns)');
    expect(errorOf(ROWS.slice(0, 5).join('\n')).message).toMatch(/^line 5: 5 data rows; at least 10/);
    expect(errorOf(ROWS.map((r) => r.replace(/,\d+$/, ',0')).join('\n')).message).toMatch(/at least two classes/);
    expect(errorOf('1\n2').message).toBe('line 1: at least two columns are needed: features, then a label');
  });
});

describe('a CSV data set', () => {
  const table = read(WITH_HEADER);
  const dataset = csvDataset('csv:tiny', table);

  it('holds out every tenth row for testing', () => {
    expect([dataset.train.n, dataset.test.n]).toEqual([18, 2]);
    expect(Array.from(dataset.test.x.subarray(0, 3))).toEqual(Array.from(table.x.subarray(27, 30)));
    expect(Array.from(dataset.test.y)).toEqual([table.y[9], table.y[19]]);
    expect(Array.from(dataset.train.x.subarray(27, 30))).toEqual(Array.from(table.x.subarray(30, 33)));
  });

  it('is kept in the lab\'s data file format and read back exactly', () => {
    expect(decodeDataFile('csv:tiny', encodeDataFile(dataset))).toEqual(dataset);
  });

  it('is named from its file name', () => {
    expect(csvDatasetName('C:\\data\\my iris (v2).csv')).toBe('my_iris_v2_');
    expect(csvDatasetName('.csv')).toBe('data');
  });
});

describe('links that name a CSV set', () => {
  it('say clearly that the data was not imported here', () => {
    expect(() => parseLink('v=1&dataset=csv:elsewhere')).toThrow(
      'dataset: csv:elsewhere is a CSV data set that was not imported here: a link names it, but its data stays on the computer that imported it. Import elsewhere.csv',
    );
    expect(() => datasetShape('csv:elsewhere')).toThrow(/not imported here/);
  });

  it('work once the set is imported, and round-trip', () => {
    registerLocalDataset('csv:tiny', { inputs: 3, classes: 3 });
    const config = parseLink('v=1&dataset=csv:tiny&layers=4');
    expect(config.dataset).toBe('csv:tiny');
    expect(datasetShape('csv:tiny')).toEqual({ inputs: 3, classes: 3 });
    expect(parseLink(serializeConfig(config))).toEqual(config);
  });
});
