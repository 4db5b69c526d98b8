// Vite config for the lab page, its Web Workers, and the Vitest suites (core and Dawn kernel tests).
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets the page use SharedArrayBuffer and precise timers.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 600_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
