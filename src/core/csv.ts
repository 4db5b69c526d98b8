// Your own data as CSV: numeric feature columns and one label column, of class ids 0..C−1 or of class
// names (the last column unless chosen), header optional, fields separated by ',', ';' or tab. Papa Parse
// reads the fields, in chunks (a stream or one string); errors name the line and column. The rows become a
// data set with every tenth row held out for testing.
import Papa from 'papaparse';
import { CsvError, detectDelimiter, firstRows, newlineOf, NumberReader, numberLike, type DecimalMark, type Newline } from './csv-format';
import type { Dataset } from './datasets';

export { CsvError } from './csv-format';

export const CSV_MAX_BYTES = 50 * 1024 * 1024;
export const CSV_MAX_COLUMNS = 4096;
/** Labels are stored as bytes, like MNIST's. */
export const CSV_MAX_CLASSES = 256;
/** Rows i with i % TEST_EVERY === TEST_EVERY − 1 form the test set. */
export const TEST_EVERY = 10;
/** The rows the delimiter and the header are told from. */
const SAMPLE_ROWS = 20;
const SAMPLE_CHARS = 1 << 16;
/** Longer than any row of numbers: an unclosed quote, which would otherwise hold the rest of the file. */
const MAX_ROW_CHARS = 1 << 20;

export interface CsvOptions {
  /** The label column: 1-based number, or its header name; the last column when absent. */
  labelColumn?: number | string;
  /** The decimal mark; told from the file when absent (',' only where ',' does not separate fields). */
  decimal?: DecimalMark;
}

export interface CsvTable {
  header: string[] | null;
  inputs: number;
  classes: number;
  n: number;
  /** [n, inputs] row-major. */
  x: Float32Array;
  y: Uint8Array;
  /** The labels' names, class id = index in order of first appearance; null when the labels are ids. */
  classNames: string[] | null;
}

/** What Papa Parse's Parser gives its step callback: one row, its errors, and where it ends. */
interface ParserStep {
  data: [string[]];
  errors: Papa.ParseError[];
  meta: { cursor: number };
}

/** Feeds text in chunks of any size with push(), then end() gives the table. */
export class CsvReader {
  /** Text not parsed yet: the start of a row that may go on in the next chunk. */
  private pending = '';
  /** The line `pending` starts on. */
  private line = 1;
  private lastLine = 0;
  private parser: Papa.Parser | null = null;
  private newline: Newline = '\n';
  private sample: string[][] = [];
  private numbers!: NumberReader;
  /** Where the row being read ends in the text being parsed. */
  private parsed = 0;
  private text = '';
  private header: string[] | null = null;
  private columns = 0;
  private label = -1;
  private x = new Float32Array(1024);
  private y: number[] = [];
  private classes = 0;
  /** Names mode (the first label is not a number): name → class id. */
  private names: Map<string, number> | null = null;

  constructor(private readonly options: CsvOptions = {}) {}

  push(text: string): void {
    this.pending += text;
    if (!this.parser && !this.begin(false)) return;
    this.parse(false);
  }

  end(): CsvTable {
    if (!this.parser) this.begin(true);
    this.parse(true);
    const n = this.y.length;
    if (n < TEST_EVERY) throw new CsvError(this.lastLine, null, `${n} data rows; at least ${TEST_EVERY} are needed (every tenth row is held out for testing)`);
    if (this.classes < 2) {
      throw new CsvError(this.lastLine, null, this.names
        ? `every label is ${JSON.stringify([...this.names.keys()][0])}: at least two classes are needed`
        : 'every label is 0: at least two classes (0 and 1) are needed');
    }
    const inputs = this.columns - 1;
    const classNames = this.names ? [...this.names.keys()] : null;
    return { header: this.header, inputs, classes: this.classes, n, x: this.x.slice(0, n * inputs), y: Uint8Array.from(this.y), classNames };
  }

  /** Tells the file's delimiter once enough of it is here (or all of it); false while waiting for more. */
  private begin(whole: boolean): boolean {
    if (this.pending.charCodeAt(0) === 0xfeff) this.pending = this.pending.slice(1);
    if (!whole && this.pending.length < SAMPLE_CHARS && this.pending.split('\n', SAMPLE_ROWS + 1).length <= SAMPLE_ROWS) return false;
    this.newline = newlineOf(this.pending);
    const delimiter = detectDelimiter(this.pending, this.newline, whole, SAMPLE_ROWS, this.options.decimal);
    this.sample = firstRows(this.pending, delimiter, this.newline, whole, SAMPLE_ROWS);
    this.numbers = new NumberReader(delimiter, this.options.decimal);
    // Papa Parse's own core, fed chunk by chunk (its file reader would split characters at chunk ends).
    this.parser = new Papa.Parser({ delimiter, newline: this.newline, step: (r) => this.step(r as unknown as ParserStep) });
    return true;
  }

  private parse(whole: boolean): void {
    this.text = this.pending;
    this.parsed = 0;
    this.parser!.parse(this.text, 0, !whole);
    this.pending = this.text.slice(this.parsed);
    if (this.pending.length > MAX_ROW_CHARS) {
      throw new CsvError(this.line, null, `a row of more than ${MAX_ROW_CHARS / 2 ** 20} MB starts here: is a quote (") on this line never closed?`);
    }
  }

  /** One row from Papa Parse; its lines are counted, so a quoted field may hold line breaks. */
  private step(r: ParserStep): void {
    const start = this.parsed;
    const end = r.meta.cursor;
    if (r.errors.length) {
      const e = r.errors[0];
      throw new CsvError(this.line, null, e.code === 'MissingQuotes'
        ? 'a quoted field is never closed (a missing ")'
        : 'a quote (") inside a quoted field must be doubled ("")');
    }
    this.row(r.data[0]);
    let lines = 0;
    for (let i = this.text.indexOf(this.newline, start); i !== -1 && i < end; i = this.text.indexOf(this.newline, i + 1)) lines++;
    this.line += lines;
    this.parsed = end;
  }

  private row(raw: string[]): void {
    if (raw.length === 1 && raw[0].trim() === '') return;
    this.lastLine = this.line;
    if (this.columns === 0) {
      this.start(raw.map((f) => f.trim()));
      if (this.header) return;
    }
    if (raw.length !== this.columns) throw new CsvError(this.line, null, `${raw.length} columns, but the first row has ${this.columns}`);
    const inputs = this.columns - 1;
    const at = this.y.length * inputs;
    if (at + inputs > this.x.length) {
      const grown = new Float32Array(Math.max(this.x.length * 2, at + inputs));
      grown.set(this.x);
      this.x = grown;
    }
    let f = 0;
    for (let c = 0; c < raw.length; c++) {
      if (c === this.label) this.y.push(this.classOf(raw[c].trim(), c + 1));
      else this.x[at + f++] = this.numbers.read(raw[c].trim(), this.line, c + 1);
    }
  }

  /** A label's class id: the id itself, or for a name, its place in the order names first appear. */
  private classOf(text: string, column: number): number {
    if (this.names === null && this.y.length === 0 && !numberLike(text, this.numbers.commas)) this.names = new Map();
    if (this.names) {
      if (text === '') throw new CsvError(this.line, column, 'the label is empty');
      let id = this.names.get(text);
      if (id === undefined) {
        if (this.names.size === CSV_MAX_CLASSES) throw new CsvError(this.line, column, `the label ${JSON.stringify(text.slice(0, 40))} would be class ${CSV_MAX_CLASSES + 1}; at most ${CSV_MAX_CLASSES} classes`);
        id = this.names.size;
        this.names.set(text, id);
        this.classes = id + 1;
      }
      return id;
    }
    const v = Number(text);
    if (!numberLike(text, false)) {
      throw new CsvError(this.line, column, `the label ${JSON.stringify(text.slice(0, 40))} is not a class id, and the labels above it are: `
        + `a label column holds class ids 0..${CSV_MAX_CLASSES - 1} or names, not both`);
    }
    if (!Number.isInteger(v) || v < 0 || v >= CSV_MAX_CLASSES) {
      throw new CsvError(this.line, column, `the label ${text} is not a class id (an integer 0..${CSV_MAX_CLASSES - 1})`);
    }
    this.classes = Math.max(this.classes, v + 1);
    return v;
  }

  /**
   * The first row: fixes the column count and the label column, and is a header if a feature is not a
   * number, or the label is not one while the next row's is (names as labels are data, not a header).
   */
  private start(fields: string[]): void {
    if (fields.length < 2) throw new CsvError(this.line, null, 'at least two columns are needed: features, then a label');
    if (fields.length > CSV_MAX_COLUMNS + 1) throw new CsvError(this.line, null, `${fields.length} columns; at most ${CSV_MAX_COLUMNS} features and a label`);
    this.columns = fields.length;
    const isNumber = (f: string | undefined) => f !== undefined && numberLike(f, this.numbers.commas);
    const { labelColumn } = this.options;
    if (typeof labelColumn === 'string') {
      if (!fields.every(isNumber)) this.header = fields;
      this.label = this.header ? this.header.indexOf(labelColumn) : -1;
      if (this.label < 0) {
        throw new CsvError(this.line, null, this.header
          ? `no column named ${JSON.stringify(labelColumn)} in the header (${this.header.join(', ')})`
          : `no header row, so the label column must be a number, not ${JSON.stringify(labelColumn)}`);
      }
      return;
    }
    if (labelColumn === undefined) this.label = this.columns - 1;
    else {
      if (!Number.isInteger(labelColumn) || labelColumn < 1 || labelColumn > this.columns) {
        throw new CsvError(this.line, null, `label column ${labelColumn} does not exist (the rows have ${this.columns} columns)`);
      }
      this.label = labelColumn - 1;
    }
    const next = this.sample[1];
    if (fields.some((f, c) => c !== this.label && !isNumber(f)) || (!isNumber(fields[this.label]) && isNumber(next?.[this.label]))) {
      this.header = fields;
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
  return { name, inputs: t.inputs, classes: t.classes, train, test, ...(t.classNames ? { classNames: t.classNames } : {}) };
}
