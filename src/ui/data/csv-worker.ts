// Web Worker: reads a CSV file as a stream (the page never holds its text) into the lab's data-file
// format, so a 50 MB file never blocks the page. Errors name the line and column.
import { CsvError, CsvReader, csvDataset } from '../../core/csv';
import { encodeDataFile } from '../../core/data-file';
import type { CsvRequest, CsvResponse } from './csv-import';

self.onmessage = async (e: MessageEvent<CsvRequest>) => {
  const { file, name, labelColumn } = e.data;
  const post = (m: CsvResponse, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
  try {
    const reader = new CsvReader({ labelColumn });
    const chunks = file.stream().pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await chunks.read();
      if (done) break;
      reader.push(value);
    }
    const dataset = csvDataset(name, reader.end());
    const bytes = encodeDataFile(dataset);
    post({
      type: 'done', bytes, inputs: dataset.inputs, classes: dataset.classes, train: dataset.train.n, test: dataset.test.n,
    }, [bytes.buffer]);
  } catch (err) {
    post({ type: 'error', message: err instanceof CsvError ? `${file.name}: ${err.message}` : `${file.name}: ${err instanceof Error ? err.message : String(err)}` });
  }
};
