// Web Worker: checks a CSV file's size and names its set, then reads it as a stream (the page never holds
// its text), through Papa Parse, into the lab's data-file format, so a 50 MB file never blocks the page.
// Errors name the line and column.
import { CSV_MAX_BYTES, CsvError, CsvReader, csvDataset, csvDatasetName } from '../../core/csv';
import { encodeDataFile } from '../../core/data-file';
import type { CsvRequest, CsvResponse } from './csv-import';

self.onmessage = async (e: MessageEvent<CsvRequest>) => {
  const { file, labelColumn, decimal } = e.data;
  const post = (m: CsvResponse, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
  if (file.size > CSV_MAX_BYTES) {
    post({ type: 'error', message: `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MB; a CSV data set may have at most ${CSV_MAX_BYTES / 2 ** 20} MB` });
    return;
  }
  const name = `csv:${csvDatasetName(file.name)}` as const;
  try {
    const reader = new CsvReader({ labelColumn, decimal });
    const chunks = file.stream().pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await chunks.read();
      if (done) break;
      reader.push(value);
    }
    const dataset = csvDataset(name, reader.end());
    const bytes = encodeDataFile(dataset);
    post({
      type: 'done', name, bytes, inputs: dataset.inputs, classes: dataset.classes, train: dataset.train.n, test: dataset.test.n,
    }, [bytes.buffer]);
  } catch (err) {
    post({ type: 'error', message: err instanceof CsvError ? `${file.name}: ${err.message}` : `${file.name}: ${err instanceof Error ? err.message : String(err)}` });
  }
};
