// Node module hooks that load `*.wgsl?raw` imports as text, as Vite does for the page, so the CLI and
// its worker threads run the very same shader imports. Registered by register-wgsl.js.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function resolve(specifier, context, nextResolve) {
  if (!specifier.endsWith('?raw')) return nextResolve(specifier, context);
  return { url: new URL(specifier, context.parentURL).href, format: 'module', shortCircuit: true };
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('?raw')) return nextLoad(url, context);
  const file = new URL(url);
  file.search = '';
  const text = await readFile(fileURLToPath(file), 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}
