// Vite config for the lab page, its Web Workers, and the Vitest suites (core and Dawn kernel tests).
import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// The dev and preview servers isolate the page (finer timers); the lab needs none of it (no SharedArrayBuffer):
// e2e/hosting.spec.ts trains on a static server that sends no headers at all.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The built site's Content-Security-Policy: its own scripts and workers only (no inline script, no
 * eval), no request beyond its own origin. The dev server goes without: its hot reload injects scripts.
 */
const CSP = [
  "default-src 'self'", "script-src 'self'", "worker-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'",
].join('; ');

const contentSecurityPolicy: Plugin = {
  name: 'content-security-policy',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
};

/**
 * With LAB_URL (the address the lab will be served at) set, the link preview names its picture by full address,
 * which most chat apps need; without it the picture's address stays relative to the page.
 */
function linkPreviewAddress(): Plugin {
  const value = process.env.LAB_URL;
  let address: URL | undefined;
  if (value) {
    try { address = new URL(value.endsWith('/') ? value : `${value}/`); } catch { /* reported below */ }
    if (!address || !/^https?:$/.test(address.protocol)) {
      throw new Error(`LAB_URL must be the lab's http(s) address, such as https://user.github.io/lab/ (got "${value}")`);
    }
  }
  return {
    name: 'link-preview-address',
    apply: 'build',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) => (address ? html.replace(
        /(<meta property="og:image" content=")\/([^"]+)"/,
        (_, head: string, file: string) => `${head}${new URL(file, address)}" />\n    <meta property="og:url" content="${address}"`,
      ) : html),
    },
  };
}

/**
 * The offline copy: a service worker (Workbox) precaches the whole built site, MNIST data and worker chunks
 * included, on the first visit. src/ui/offline.ts registers it from module code, as the CSP allows no inline
 * script; the dev server gets none. A new build replaces it once every tab of the lab has closed, so an open
 * page never meets chunks of another build.
 */
const offlineCopy = VitePWA({
  injectRegister: false,
  manifest: false,
  workbox: {
    globPatterns: ['**/*.{html,js,css,svg,png,webmanifest,bin}'],
    maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
    clientsClaim: true,
  },
});

export default defineConfig({
  // Relative addresses: one build works from any static host under any path (https://user.github.io/lab/).
  base: './',
  plugins: [react(), contentSecurityPolicy, linkPreviewAddress(), offlineCopy],
  server: { headers: isolation },
  preview: { headers: { ...isolation, 'Content-Security-Policy': CSP } },
  worker: { format: 'es' },
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 600_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
