// Web Worker: makes and reads the page's ZIP archives (fflate), so deflating an 8 MB export never stalls
// the page. Started for one archive and ended after; the ZIP code loads with it, only when used.
/// <reference lib="webworker" />
import type { ExportFile } from '../../core/export-files';
import { unzipFiles, zipFiles } from '../../core/export-zip';

export type ZipRequest = { type: 'zip'; files: ExportFile[] } | { type: 'unzip'; zip: Uint8Array };
export type ZipResponse = { zip: Uint8Array<ArrayBuffer> } | { files: ExportFile[] } | { error: string };

self.onmessage = (e: MessageEvent<ZipRequest>) => {
  try {
    if (e.data.type === 'zip') {
      const zip = zipFiles(e.data.files);
      self.postMessage({ zip } satisfies ZipResponse, [zip.buffer]);
    } else {
      self.postMessage({ files: unzipFiles(e.data.zip) } satisfies ZipResponse);
    }
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies ZipResponse);
  }
};
