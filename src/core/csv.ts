// Your own data as CSV: numeric feature columns and one label column of class ids 0..C−1 (the last
// column unless chosen), header optional. Read in chunks (a stream or one string); errors name the line
// and column. The rows become a data set with every tenth row held out for testing.
import type { Dataset } from './datasets';

export const CSV_MAX_BYTES = 50 * 1024 * 1024;
export const CSV_MAX_COLUMNS = 4096;
/** Labels are stored as bytes, like MNIST's. */
export const CSV_MAX_CLASSES = 256;
/** Rows i with i % TEST_EVERY === TEST_EVERY − 1 form the test set. */
export const TEST_EVERY = 10;

export class CsvError extends Error {
  constructor(readonly line: number, readonly column: number | null, message: string) {
    super(column === null ? `line ${line}: ${message}` : `line ${line}, column ${column}: ${message}`);
    this.name = 'CsvError';
  }
}

export interface CsvOptions {
  /** The label column: 1-based number, or its header name; the last column when absent. */
  labelColumn?: number | string;
}

export interface CsvTable {
  header: string[] | null;
  inputs: number;
  classes: number;
  n: number;
  /** [n, inputs] row-major. */
  x: Float32Array;
  y: Uint8Array;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const cell = (raw: string) => {
  const t = raw.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
};

/** Feeds text in chunks of any size with push(), then end() gives the table. */
export class CsvReader {
  private rest = '';
  private line = 0;
  private header: string[] | null = null;
  private columns = 0;
  private label = -1;
  private x = new Float32Array(1024);
  private y: number[] = [];
  private classes = 0;

  constructor(private readonly options: CsvOptions = {}) {}

  push(text: string): void {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop()!;
    for (const l of lines) this.row(l);
  }

  end(): CsvTable {
    if (this.rest !== '') this.row(this.rest);
    this.rest = '';
    const n = this.y.length;
    if (n < TEST_EVERY) throw new CsvError(this.line, null, `${n} data rows; at least ${TEST_EVERY} are needed (every tenth row is held out for testing)`);
    if (this.classes < 2) throw new CsvError(this.line, null, `every label is 0: at least two classes (0 and 1) are needed`);
    const inputs = this.columns - 1;
    return { header: this.header, inputs, classes: this.classes, n, x: this.x.slice(0, n * inputs), y: Uint8Array.from(this.y) };
  }

  private row(text: string): void {
    this.line++;
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() === '') return;
    const fields = trimmed.split(',').map(cell);
    if (this.columns === 0) {
      this.start(fields);
      if (this.header) return;
    }
    if (fields.length !== this.columns) throw new CsvError(this.line, null, `${fields.length} columns, but the first row has ${this.columns}`);
    const inputs = this.columns - 1;
    const at = this.y.length * inputs;
    if (at + inputs > this.x.length) {
      const grown = new Float32Array(Math.max(this.x.length * 2, at + inputs));
      grown.set(this.x);
      this.x = grown;
    }
    let f = 0;
    for (let c = 0; c < fields.length; c++) {
      const raw = fields[c];
      const v = NUMBER.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(v)) throw new CsvError(this.line, c + 1, `${JSON.stringify(raw.slice(0, 40))} is not a number`);
      if (c === this.label) {
        if (!Number.isInteger(v) || v < 0 || v >= CSV_MAX_CLASSES) {
          throw new CsvError(this.line, c + 1, `the label ${raw} is not a class id (an integer 0..${CSV_MAX_CLASSES - 1})`);
        }
        this.y.push(v);
        this.classes = Math.max(this.classes, v + 1);
      } else {
        this.x[at + f++] = v;
      }
    }
  }

  /** The first row: a header if any field is not a number; fixes the column count and the label column. */
  private start(fields: string[]): void {
    if (fields.length < 2) throw new CsvError(this.line, null, 'at least two columns are needed: features, then a label');
    if (fields.length > CSV_MAX_COLUMNS + 1) throw new CsvError(this.line, null, `${fields.length} columns; at most ${CSV_MAX_COLUMNS} features and a label`);
    this.columns = fields.length;
    if (fields.some((f) => !NUMBER.test(f))) this.header = fields;
    const { labelColumn } = this.options;
    if (labelColumn === undefined) this.label = this.columns - 1;
    else if (typeof labelColumn === 'number') {
      if (!Number.isInteger(labelColumn) || labelColumn < 1 || labelColumn > this.columns) {
        throw new CsvError(this.line, null, `label column ${labelColumn} does not exist (the rows have ${this.columns} columns)`);
      }
      this.label = labelColumn - 1;
    } else {
      this.label = this.header ? this.header.indexOf(labelColumn) : -1;
      if (this.label < 0) {
        throw new CsvError(this.line, null, this.header
          ? `no column named ${JSON.stringify(labelColumn)} in the header (${this.header.join(', ')})`
          : `no header row, so the label column must be a number, not ${JSON.stringify(labelColumn)}`);
      }
    }
  }
}

/** A data set name from a file name: letters, digits, '-' and '_', at most 40 characters. */
export function csvDatasetName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  return base.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'data';
}

/** The table as a data set: every tenth row (10th, 20th, …) is the test set, the rest the training set. */
export function csvDataset(name: `csv:${string}`, t: CsvTable): Dataset {
  const testRows = Math.floor(t.n / TEST_EVERY);
  const trainRows = t.n - testRows;
  const split = (n: number) => ({ x: new Float32Array(n * t.inputs), y: new Uint8Array(n), n });
  const train = split(trainRows);
  const test = split(testRows);
  let a = 0;
  let b = 0;
  for (let i = 0; i < t.n; i++) {
    const row = t.x.subarray(i * t.inputs, (i + 1) * t.inputs);
    const into = i % TEST_EVERY === TEST_EVERY - 1 ? test : train;
    const r = into === test ? b++ : a++;
    into.x.set(row, r * t.inputs);
    into.y[r] = t.y[i];
  }
  return { name, inputs: t.inputs, classes: t.classes, train, test };
}
