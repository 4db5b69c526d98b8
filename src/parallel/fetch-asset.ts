// Loads a data file, in the page or a worker: a generated one (public/data) over HTTP, an imported CSV
// set (csv/<name>.bin) from this browser's IndexedDB, where it never leaves the computer.
import { transact } from './idb';

// The site's data/ folder, beside the web app manifest: vite writes the manifest's address relative to the
// built chunk, so the page and its workers (whose scripts sit in assets/) find the data under any sub-path.
const DATA_DIR = new URL('data/', new URL('/manifest.webmanifest', import.meta.url));

export async function fetchAsset(file: string): Promise<Uint8Array> {
  if (file.startsWith('csv/')) {
    const bytes = await transact<Uint8Array | undefined>('datasets', 'readonly', (s) => s.get(file));
    if (!bytes) throw new Error(`the imported data set ${file} is not in this browser's storage any more: import its CSV again`);
    return bytes;
  }
  const response = await fetch(new URL(file, DATA_DIR));
  if (!response.ok) throw new Error(`could not load ${file}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
