// How a CSV file writes its fields and numbers: the delimiter (',', ';' or tab) told from its first rows as
// Papa Parse reads them, and the decimal mark ('.' or ','), with which its numbers are read.
import Papa from 'papaparse';

export class CsvError extends Error {
  constructor(readonly line: number, readonly column: number | null, message: string) {
    super(column === null ? `line ${line}: ${message}` : `line ${line}, column ${column}: ${message}`);
    this.name = 'CsvError';
  }
}

export type Delimiter = ',' | ';' | '\t';
export type DecimalMark = '.' | ',';
export type Newline = '\n' | '\r';
export const DECIMAL_MARKS: readonly DecimalMark[] = ['.', ','];
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const isDigit = (code: number) => code >= DIGIT_0 && code <= DIGIT_9;

/**
 * How `text` writes a number (sign, digits with one '.' or ',', exponent): '.' or ',' for its decimal
 * mark, '' for none, null when it is not a number. One pass, as every cell of a 50 MB file goes through it.
 */
function numberMark(text: string): DecimalMark | '' | null {
  const end = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  if (c === 43 || c === 45) c = text.charCodeAt(++i); // + -
  let digits = 0;
  while (isDigit(c)) { digits++; c = text.charCodeAt(++i); }
  let mark: DecimalMark | '' = '';
  if (c === 46 || c === 44) { // . ,
    mark = c === 46 ? '.' : ',';
    c = text.charCodeAt(++i);
    while (isDigit(c)) { digits++; c = text.charCodeAt(++i); }
  }
  if (digits === 0) return null;
  if (c === 101 || c === 69) { // e E
    c = text.charCodeAt(++i);
    if (c === 43 || c === 45) c = text.charCodeAt(++i);
    if (!isDigit(c)) return null;
    while (isDigit(c)) c = text.charCodeAt(++i);
  }
  return i === end ? mark : null;
}

/** A number written with a decimal point, or, where `commas`, with a decimal comma. */
export function numberLike(text: string, commas: boolean): boolean {
  const mark = numberMark(text);
  return mark !== null && (commas || mark !== ',');
}

/** '\n' (also for CRLF: the '\r' is trimmed off the last field), or '\r' for a file with no '\n' at all. */
export const newlineOf = (text: string): Newline => (!text.includes('\n') && text.includes('\r') ? '\r' : '\n');

/** The first `count` rows Papa Parse reads in `text` with `delimiter`, fields trimmed, empty lines left out. */
export function firstRows(text: string, delimiter: Delimiter, newline: Newline, whole: boolean, count: number): string[][] {
  const parsed = new Papa.Parser({ delimiter, newline, preview: count }).parse(text, 0, !whole) as Papa.ParseResult<string[]>;
  return parsed.data.map((row) => row.map((f) => f.trim())).filter((row) => row.length > 1 || row[0] !== '');
}

/**
 * Of ',', ';' and tab, the delimiter whose first row has two fields or more and whose rows hold the most
 * numbers (decimal commas count where ',' is not the delimiter, or `decimal` is ','); ',' on a tie. Papa
 * Parse's own guess takes ',' for "0,512;1,203;1", which has three fields either way.
 */
export function detectDelimiter(text: string, newline: Newline, whole: boolean, rows: number, decimal?: DecimalMark): Delimiter {
  let best: Delimiter = ',';
  let bestNumbers = -1;
  for (const d of DELIMITERS) {
    const sample = firstRows(text, d, newline, whole, rows);
    if ((sample[0]?.length ?? 0) < 2) continue;
    const commas = decimal === ',' || (decimal === undefined && d !== ',');
    const numbers = sample.reduce((s, row) => s + row.filter((f) => numberLike(f, commas)).length, 0);
    if (numbers > bestNumbers) {
      best = d;
      bestNumbers = numbers;
    }
  }
  return best;
}

const markName = (m: DecimalMark) => (m === '.' ? 'a decimal point' : 'a decimal comma');

/**
 * Reads the numbers of one file. The decimal mark is the one asked for; else '.' in a comma-separated file;
 * else the first one a number uses, so a file never mixes the two (a '.' among decimal commas may be a
 * thousands separator).
 */
export class NumberReader {
  private mark: DecimalMark | null;
  private why: string;

  constructor(delimiter: Delimiter, decimal?: DecimalMark) {
    this.mark = decimal ?? (delimiter === ',' ? '.' : null);
    this.why = decimal ? 'as asked' : 'in a comma-separated file';
  }

  /** Whether a decimal comma may be read (for telling numbers from names before any is read). */
  get commas(): boolean {
    return this.mark !== '.';
  }

  read(text: string, line: number, column: number): number {
    const mark = numberMark(text);
    const value = mark === null ? NaN : Number(mark === ',' ? text.replace(',', '.') : text);
    if (!Number.isFinite(value)) throw new CsvError(line, column, `${JSON.stringify(text.slice(0, 40))} is not a number`);
    if (mark === '' || mark === this.mark) return value;
    if (this.mark === null) {
      this.mark = mark;
      this.why = `as on line ${line}, column ${column}`;
    } else {
      throw new CsvError(line, column, `${JSON.stringify(text.slice(0, 40))} has ${markName(mark!)}, but this file's numbers have ${markName(this.mark)} `
        + `(${this.why}): set the decimal mark to "${mark}" if that is the file's`);
    }
    return value;
  }
}
