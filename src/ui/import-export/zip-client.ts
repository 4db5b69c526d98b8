// The page's side of the ZIP worker: an archive made or read off the main thread; a refusal (not a ZIP, an
// unknown compression) comes back as the ExportError it was.
import { ExportError, type ExportFile } from '../../core/export-files';
import type { ZipRequest, ZipResponse } from './zip-worker';

function inWorker(request: ZipRequest): Promise<ZipResponse> {
  const worker = new Worker(new URL('./zip-worker.ts', import.meta.url), { type: 'module', name: 'zip' });
  return new Promise<ZipResponse>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<ZipResponse>) => ('error' in e.data ? reject(new ExportError(e.data.error)) : resolve(e.data));
    worker.onerror = (e) => reject(new Error(e.message || 'the ZIP worker failed to load'));
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

/** A deflated ZIP of the files. */
export async function zipInWorker(files: ExportFile[]): Promise<Uint8Array<ArrayBuffer>> {
  const r = await inWorker({ type: 'zip', files });
  return (r as { zip: Uint8Array<ArrayBuffer> }).zip;
}

/** The files of a stored or deflated ZIP. */
export async function unzipInWorker(zip: Uint8Array): Promise<ExportFile[]> {
  const r = await inWorker({ type: 'unzip', zip });
  return (r as { files: ExportFile[] }).files;
}
