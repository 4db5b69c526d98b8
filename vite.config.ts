// Vite config for the lab page, its Web Workers, and the Vitest suites (core and Dawn kernel tests).
import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets the page use SharedArrayBuffer and precise timers.
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

export default defineConfig({
  plugins: [react(), contentSecurityPolicy],
  server: { headers: isolation },
  preview: { headers: { ...isolation, 'Content-Security-Policy': CSP } },
  worker: { format: 'es' },
  build: {
    // recharts and React make one ~690 kB (200 kB gzipped) chunk; the lab loads it once.
    chunkSizeWarningLimit: 800,
  },
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 600_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
