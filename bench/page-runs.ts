// The bench's Chromium part: the side-by-side page (lab worker and TensorFlow.js) on a Vite dev server
// rooted in bench/page, and the lab itself built to a scratch folder: first step, long tasks, JS size,
// for several runs (and beside a baseline build, if given).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from '@playwright/test';
import { createServer, preview } from 'vite';
import { median } from './kernels';
import type { PagePlan, PageResult } from './page/main';

const ROOT = resolve(import.meta.dirname, '..');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-sandbox'],
  });
}

/** Runs the side-by-side page with `plan`; its progress lines go to stderr. */
export async function sideBySide(browser: Browser, plan: PagePlan, port: number): Promise<PageResult> {
  const server = await createServer({
    configFile: false,
    root: join(ROOT, 'bench/page'),
    publicDir: join(ROOT, 'public'),
    logLevel: 'warn',
    server: { port, strictPort: true, fs: { allow: [ROOT] } },
    worker: { format: 'es' },
  });
  await server.listen();
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[bench page error] ${e.message}\n`));
  try {
    await page.goto(`http://localhost:${port}/`);
    await page.waitForFunction(() => 'bench' in window, null, { timeout: 120_000 });
    return await page.evaluate((p) => (window as unknown as { bench: { run(p: PagePlan): Promise<PageResult> } }).bench.run(p), plan);
  } finally {
    await page.close();
    await server.close();
  }
}

/** A lab link the bench opens with autostart=1. */
export interface LabRun {
  name: string;
  hash: string;
}

/** One page load of one run. */
export interface LabPageSample {
  /** Milliseconds from navigation until the page first shows a finished training step. */
  firstStepMs: number;
  /** The step number shown then (the page shows steps as their losses come back, in batches). */
  firstStepShown: number;
  /** The longest main-thread task after the first step, in ms; 0 when none passed the 50 ms long-task threshold. */
  longestTaskMs: number;
  longTasks: number;
}

export interface LabRunResult extends LabRun {
  /** One sample per round. */
  samples: LabPageSample[];
  /** Medians over the rounds. */
  firstStepMs: number;
  firstStepShown: number;
  longestTaskMs: number;
  longTasks: number;
}

export interface LabBuildResult {
  /** What was measured: the lab as built now, or a baseline build given with --baseline. */
  build: string;
  runs: LabRunResult[];
  /** Gzipped bytes of the build's JavaScript (entry, chunks and workers). */
  jsGzipBytes: number;
  /** Gzipped bytes of the JavaScript a visit loads before the page renders: index.html's entry and the chunks it preloads. */
  startJsGzipBytes: number;
  jsFiles: number;
  /** Each file's gzipped bytes, largest first. */
  jsSizes: Record<string, number>;
}

export interface LabPagesResult {
  builds: LabBuildResult[];
  watchedMs: number;
  rounds: number;
}

/** The gzipped size (level 9) of every .js file under `dir`, and their sum. */
function gzippedJs(dir: string): { bytes: number; files: number; sizes: Record<string, number> } {
  const sizes: [string, number][] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (name.endsWith('.js') && statSync(path).isFile()) sizes.push([name, gzipSync(readFileSync(path), { level: 9 }).length]);
  }
  sizes.sort((x, y) => y[1] - x[1]);
  return { bytes: sizes.reduce((s, [, n]) => s + n, 0), files: sizes.length, sizes: Object.fromEntries(sizes) };
}

/**
 * The gzipped size of the JavaScript index.html loads at once (its module scripts and modulepreloads); the
 * lazily loaded chunks (class pages, exports, charts) and the workers come later, when used.
 */
function gzippedStartJs(dir: string): number {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script type="module"[^>]*\ssrc|link rel="modulepreload"[^>]*\shref)="\.?\/?([^"]+\.js)"/g)].map((m) => m[1]);
  return files.reduce((sum, f) => sum + gzipSync(readFileSync(join(dir, f)), { level: 9 }).length, 0);
}

/** Opens an autostart link on a served build and watches the main thread while it trains. */
async function watchLabPage(browser: Browser, url: string, watchMs: number): Promise<LabPageSample> {
  // Each load is measured as a first visit: the lab's offline copy would otherwise serve the second.
  const page = await browser.newPage({ serviceWorkers: 'block' });
  try {
    await page.addInitScript(() => {
      const w = window as unknown as { longTasks: PerformanceEntry[]; firstStepAt: [number, number] | null };
      w.longTasks = [];
      w.firstStepAt = null;
      new PerformanceObserver((list) => { w.longTasks.push(...list.getEntries()); }).observe({ type: 'longtask', buffered: true });
      // Polled on a timer: the page is built to show the step as soon as its records arrive.
      const poll = setInterval(() => {
        const value = document.querySelector('[data-testid="step"]')?.getAttribute('data-value');
        if (!value || Number(value) < 1) return;
        w.firstStepAt = [performance.now(), Number(value)];
        clearInterval(poll);
      }, 10);
    });
    await page.goto(url);
    // Polled from here: waitForFunction evaluates its predicate in a way the built site's CSP (no eval) refuses.
    let shown: [number, number] | null = null;
    for (const deadline = Date.now() + 180_000; !shown && Date.now() < deadline; await page.waitForTimeout(100)) {
      shown = await page.evaluate(() => (window as unknown as { firstStepAt: [number, number] | null }).firstStepAt);
    }
    if (!shown) throw new Error(`the lab page showed no training step within 180 s of opening ${url}`);
    const [firstStepMs, firstStepShown] = shown;
    await page.waitForTimeout(watchMs);
    const tasks = await page.evaluate((from) => (window as unknown as { longTasks: PerformanceEntry[] }).longTasks
      .filter((t) => t.startTime + t.duration >= from).map((t) => t.duration), firstStepMs);
    return { firstStepMs, firstStepShown, longestTaskMs: Math.max(0, ...tasks), longTasks: tasks.length };
  } finally {
    await page.close();
  }
}

/**
 * Builds the lab (`vite build`, the shipped configuration, into a scratch folder so the shared dist/ is
 * untouched), serves it, and opens each run's autostart link, `rounds` times; with `baseline` (another
 * build's folder, e.g. of an earlier commit) both builds are measured, interleaved run by run, so the
 * machine's load falls on both alike.
 */
export async function labPages(
  browser: Browser, runs: LabRun[], port: number, watchMs: number, rounds: number, baseline?: string,
): Promise<LabPagesResult> {
  const outDir = join('/tmp', `lab-bench-dist-${process.pid}`);
  // NODE_ENV as a user's `npm run build` has it: the bench page's dev server sets it to development in this
  // process, and a child build inheriting that ships React's development build, unminified.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' },
  });
  const dirs = [{ build: 'now', dir: outDir }, ...(baseline ? [{ build: `baseline ${baseline}`, dir: resolve(baseline) }] : [])];
  const servers = await Promise.all(dirs.map((d, i) => preview({
    root: ROOT, build: { outDir: d.dir }, preview: { port: port + i, strictPort: true }, logLevel: 'warn',
  })));
  try {
    const samples = dirs.map(() => runs.map((): LabPageSample[] => []));
    for (let round = 0; round < rounds; round++) {
      for (const [r, run] of runs.entries()) {
        for (const [b, d] of dirs.entries()) {
          const sample = await watchLabPage(browser, `http://localhost:${port + b}/#${run.hash}&autostart=1`, watchMs);
          process.stderr.write(`[bench] lab page ${run.name} (${d.build}), round ${round + 1}: first step ${sample.firstStepMs.toFixed(0)} ms, `
            + `longest task ${sample.longestTaskMs.toFixed(0)} ms, ${sample.longTasks} over 50 ms\n`);
          samples[b][r].push(sample);
        }
      }
    }
    return {
      watchedMs: watchMs, rounds,
      builds: dirs.map((d, b) => {
        const size = gzippedJs(d.dir);
        return {
          build: d.build, jsGzipBytes: size.bytes, startJsGzipBytes: gzippedStartJs(d.dir), jsFiles: size.files, jsSizes: size.sizes,
          runs: runs.map((run, r) => {
            const own = samples[b][r];
            const mid = (pick: (s: LabPageSample) => number) => median(own.map(pick));
            return {
              ...run, samples: own, firstStepMs: mid((s) => s.firstStepMs), firstStepShown: mid((s) => s.firstStepShown),
              longestTaskMs: mid((s) => s.longestTaskMs), longTasks: mid((s) => s.longTasks),
            };
          }),
        };
      }),
    };
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(outDir, { recursive: true, force: true });
  }
}
