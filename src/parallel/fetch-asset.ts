// Loads a generated data file (public/data) over HTTP, in the page or a worker.
export async function fetchAsset(file: string): Promise<Uint8Array> {
  const response = await fetch(`${import.meta.env.BASE_URL}data/${file}`);
  if (!response.ok) throw new Error(`could not load ${file}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
