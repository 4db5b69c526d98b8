// CSV import: header or not, the label column, chunked input, errors that name line and column, the
// train/test split, the stored data file, and links that name a CSV set (known here or not); class names
// as labels, the ';' and tab dialects with decimal commas, quoted fields holding delimiters and line breaks.
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

/** Iris-like rows: four features, then a species name; row i has class i mod 3. */
const SPECIES = ['setosa', 'versicolor', 'virginica'];
const irisRow = (i: number, sep = ',', dec = '.') => [
  ...[5 + (i % 3) * 0.5 + i / 100, 3.25 - (i % 3) * 0.25, 1.5 * (1 + (i % 3)), 0.125 * (i % 4)].map((v) => String(v).replace('.', dec)),
  SPECIES[i % 3],
].join(sep);
const IRIS = ['sepal_length,sepal_width,petal_length,petal_width,species', ...Array.from({ length: 30 }, (_, i) => irisRow(i))].join('\n');

describe('class names as labels', () => {
  it('numbers the names in order of first appearance', () => {
    const t = read(IRIS);
    expect(t.header).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']);
    expect(t.classNames).toEqual(SPECIES);
    expect(Array.from(t.y.subarray(0, 4))).toEqual([0, 1, 2, 0]);
    expect([t.n, t.inputs, t.classes]).toEqual([30, 4, 3]);
    const pets = read(['a,b,label', '1,2,dog', '3,4,cat', ...Array.from({ length: 10 }, (_, i) => `${i},${i},${i % 3 ? 'cat' : 'bird'}`)].join('\n'));
    expect(pets.classNames).toEqual(['dog', 'cat', 'bird']);
    expect(Array.from(pets.y.subarray(0, 5))).toEqual([0, 1, 2, 1, 1]);
  });

  it('reads a first row whose only text is its label as data, not a header', () => {
    const t = read(IRIS.split('\n').slice(1).join('\n'));
    expect(t.header).toBeNull();
    expect(t.n).toBe(30);
    expect(t.classNames).toEqual(SPECIES);
  });

  it('travel with the set: the data set and its data file keep them', () => {
    const dataset = csvDataset('csv:iris', read(IRIS));
    expect(dataset.classNames).toEqual(SPECIES);
    expect(decodeDataFile('csv:iris', encodeDataFile(dataset))).toEqual(dataset);
    expect(csvDataset('csv:tiny', read(WITH_HEADER))).not.toHaveProperty('classNames');
  });

  it('say what cannot be a class', () => {
    expect(errorOf(`${IRIS}\n5,3,1,0,`).message).toBe('line 32, column 5: the label is empty');
    const ids = ['a,b,label', ...Array.from({ length: 12 }, (_, i) => `${i},1,${i === 7 ? 'cat' : i % 2}`)].join('\n');
    expect(errorOf(ids).message).toBe('line 9, column 3: the label "cat" is not a class id, and the labels above it are: '
      + 'a label column holds class ids 0..255 or names, not both');
    const many = ['a,label', ...Array.from({ length: 257 }, (_, i) => `${i},c${i}`)].join('\n');
    expect(errorOf(many).message).toBe('line 258, column 2: the label "c256" would be class 257; at most 256 classes');
    expect(errorOf(['a,label', ...Array.from({ length: 12 }, (_, i) => `${i},same`)].join('\n')).message)
      .toBe('line 13: every label is "same": at least two classes are needed');
  });
});

describe('CSV dialects', () => {
  const US = read(IRIS);

  it('reads ";" between fields with decimal commas as the same table as "," with points; tab too', () => {
    const eu = ['sepal_length;sepal_width;petal_length;petal_width;species', ...Array.from({ length: 30 }, (_, i) => irisRow(i, ';', ','))].join('\n');
    expect(eu).toContain('5,51;3;3;0,125;versicolor');
    expect(read(eu)).toEqual(US);
    expect(read(eu.replaceAll(';', '\t'))).toEqual(US);
    expect(read(IRIS.replaceAll(',', ';'))).toEqual(US);
    expect(read(IRIS.replaceAll(',', '\t'))).toEqual(US);
  });

  it('reads the European export of the issue: "0,512;1,203;1"', () => {
    const t = read(Array.from({ length: 10 }, (_, i) => `0,512;1,203;${i % 2}`).join('\n'));
    expect([t.inputs, t.classes, Array.from(t.x.subarray(0, 2))]).toEqual([2, 2, [Math.fround(0.512), Math.fround(1.203)]]);
  });

  it('reads quoted fields holding the delimiter, quotes and line breaks, and counts their lines', () => {
    const rows = ['"sepal, length","sepal ""width""",species'];
    for (let i = 0; i < 12; i++) rows.push(`${i},"${i / 2}",${i % 3 === 0 ? '"virginica, tall"' : i % 3 === 1 ? '"set\nosa"' : 'plain'}`);
    const text = rows.join('\r\n');
    const t = read(text);
    expect(t.header).toEqual(['sepal, length', 'sepal "width"', 'species']);
    expect(t.classNames).toEqual(['virginica, tall', 'set\nosa', 'plain']);
    expect(Array.from(t.x.subarray(0, 6))).toEqual([0, 0, 1, 0.5, 2, 1]);
    // Data rows 2, 5, 8 and 11 each take two lines, so the row after the 12th starts on line 18.
    expect(errorOf(`${text}\r\n12,x,plain`).message).toBe('line 18, column 2: "x" is not a number');
  });

  it('gives the same table for any chunking, quoted line breaks and names of several bytes included', () => {
    const text = `\ufeff${IRIS.replaceAll('\n', '\r\n').replaceAll('setosa', '"Iris sétosa\n🌸"')}\r\n`;
    const whole = read(text);
    expect(whole.classNames).toEqual(['Iris sétosa\n🌸', 'versicolor', 'virginica']);
    expect(whole.header![0]).toBe('sepal_length');
    for (const size of [1, 7, 64]) {
      const r = new CsvReader();
      for (let i = 0; i < text.length; i += size) r.push(text.slice(i, i + size));
      expect(r.end()).toEqual(whole);
    }
  });

  it('reads decimal commas in a comma-separated file only when asked', () => {
    const quoted = ['a,b,label', ...Array.from({ length: 12 }, (_, i) => `"${i},5",${i},${i % 2}`)].join('\n');
    expect(errorOf(quoted).message).toBe('line 2, column 1: "0,5" has a decimal comma, but this file\'s numbers have a decimal point '
      + '(in a comma-separated file): set the decimal mark to "," if that is the file\'s');
    expect(Array.from(read(quoted, { decimal: ',' }).x.subarray(0, 2))).toEqual([0.5, 0]);
  });

  it('never mixes decimal marks in one file', () => {
    const mixed = ['a;label', '1,5;0', '2;1', ...Array.from({ length: 10 }, (_, i) => `${i === 5 ? '1.500' : i};${i % 2}`)].join('\n');
    expect(errorOf(mixed).message).toBe('line 9, column 1: "1.500" has a decimal point, but this file\'s numbers have a decimal comma '
      + '(as on line 2, column 1): set the decimal mark to "." if that is the file\'s');
    expect(errorOf(mixed, { decimal: '.' })).toMatchObject({ line: 2, column: 1 });
  });

  it('ignores empty lines, and names the line of a ragged row and of a bad or unclosed quote', () => {
    const gappy = IRIS.split('\n').flatMap((r, i) => (i % 4 === 0 ? [r, '', '  '] : [r])).join('\n');
    expect(read(gappy)).toEqual(US);
    expect(errorOf(`${IRIS}\n5,3,1,setosa`).message).toBe('line 32: 4 columns, but the first row has 5');
    expect(errorOf(`${IRIS}\n5,3,1,0,"setosa\n6,3,1,0,virginica`).message).toBe('line 32: a quoted field is never closed (a missing ")');
    expect(errorOf(`${IRIS}\n5,3,1,"0"x,setosa`).message).toBe('line 32: a quote (") inside a quoted field must be doubled ("")');
    const open = `${IRIS}\n5,3,1,0,"setosa\n${'6,3,1,0,virginica\n'.repeat(70_000)}`;
    const r = new CsvReader();
    expect(() => { for (let i = 0; i < open.length; i += 65536) r.push(open.slice(i, i + 65536)); })
      .toThrow('line 32: a row of more than 1 MB starts here: is a quote (") on this line never closed?');
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
