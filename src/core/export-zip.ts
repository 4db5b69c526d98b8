// ZIP archives of an export's files through fflate: the page's downloads, deflated, and the archives the
// user picks to import, stored or deflated (the lab's, or its files zipped again by the user). The page
// loads this module only when it writes or reads a ZIP.
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { ExportError, type ExportFile } from './export-files';

/** Every entry's date: 1980-01-01, the first a ZIP can hold, so the bytes depend on the files only. */
const ZIP_DATE = new Date(1980, 0, 1);
/** What unzip tools call deflated and stored. */
const DEFLATE = 8;
const STORED = 0;

/** A ZIP archive of the files, deflated (every unzip tool and OS reads it). */
export function zipFiles(files: readonly ExportFile[]): Uint8Array<ArrayBuffer> {
  const tree: Zippable = {};
  for (const f of files) tree[f.path] = f.bytes;
  return zipSync(tree, { level: 6, mtime: ZIP_DATE });
}

/**
 * The files of a ZIP, stored or deflated; folders and the __MACOSX copies macOS adds when it zips a folder
 * are left out.
 */
export function unzipFiles(zip: Uint8Array): ExportFile[] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (f) => {
        if (f.name.endsWith('/') || f.name.startsWith('__MACOSX/')) return false;
        if (f.compression !== STORED && f.compression !== DEFLATE) {
          throw new ExportError(`${f.name}: compressed with ZIP method ${f.compression}; the lab reads stored and deflated ZIPs (zip it again, or unzip it and pick its files)`);
        }
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ExportError) throw e;
    throw new ExportError(`not a ZIP archive the lab can read (${e instanceof Error ? e.message : String(e)})`);
  }
  const files = Object.entries(entries).map(([path, bytes]) => ({ path, bytes }));
  if (files.length === 0) throw new ExportError('the ZIP archive holds no files');
  return files;
}
