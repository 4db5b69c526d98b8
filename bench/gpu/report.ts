// The GPU bench's Markdown: the adapter and its fp32 peak, matmul GFLOP/s per kernel beside TF.js, and
// training samples/s of the lab beside TF.js (means over the interleaved rounds).
import type { MatmulRow } from './matmuls';

interface Report {
  date: string;
  adapter: string;
  peak: { name: string; gflops: number } | null;
  small: boolean;
  rounds: number;
  tfjs: string;
  matmul: (MatmulRow & { tfjsGflops: number | null })[];
  training: { model: string; batch: number; lab: number[]; tfjs: number[]; kernels: string }[];
  errors: string[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
/** Small figures (a CPU rasteriser's GFLOP/s) keep three significant digits. */
const fixed = (x: number, digits = 1) => (!Number.isFinite(x) ? '—' : Math.abs(x) < 1 && x !== 0 ? x.toPrecision(3) : x.toFixed(digits));
const share = (gflops: number, peak: Report['peak']) => (peak ? `${fixed((100 * gflops) / peak.gflops)}%` : '—');

export function markdownReport(r: Report): string {
  const lines = [
    `# GPU bench ${r.date}${r.small ? ' (--small)' : ''}`,
    '',
    `Adapter: ${r.adapter}; fp32 peak ${r.peak ? `${r.peak.gflops / 1000} TFLOP/s (${r.peak.name})` : 'not in bench/gpu/peaks.ts'}; TensorFlow.js ${r.tfjs} webgpu on the same device.`,
    '',
    '| N×N×N | kernel | ms | GFLOP/s | share of peak | same bits as blocked | TF.js GFLOP/s |',
    '|---|---|---|---|---|---|---|',
    ...r.matmul.map((m) => `| ${m.n} | ${m.kernel} | ${fixed(m.ms, 3)} | ${fixed(m.gflops)} | ${share(m.gflops, r.peak)} | ${m.sameBits ? 'yes' : '**no**'} | ${fixed(m.tfjsGflops ?? NaN)} |`),
    '',
    `Training, samples/s (mean of ${r.rounds} interleaved round${r.rounds > 1 ? 's' : ''}; MNIST, Adam; about 128k timed samples each, 6 steps with --small; lab with kernel=auto):`,
    '',
    '| model | batch | lab | TF.js | lab ÷ TF.js | lab kernels (layer:product kernel) |',
    '|---|---|---|---|---|---|',
    ...r.training.map((t) => `| ${t.model} | ${t.batch} | ${fixed(mean(t.lab), 0)} | ${fixed(mean(t.tfjs), 0)} | ${fixed(mean(t.lab) / mean(t.tfjs), 2)}× | ${t.kernels} |`),
  ];
  if (r.errors.length) lines.push('', 'Errors:', '', ...r.errors.map((e) => `- ${e}`));
  return `${lines.join('\n')}\n`;
}
