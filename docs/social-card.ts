// Draws the lab's link-preview picture (public/social-card.png, 1200×630, the Open Graph / Twitter card
// that chat apps show under a pasted link) as SVG and renders it in Chromium: `npx tsx docs/social-card.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';

const W = 1200;
const H = 630;
const INK = '#1a2230';
const MUTED = '#5d6878';
const ACCENT = '#2563eb';
/** Two pipeline stages, coloured as the lab colours workers. */
const STAGE = ['#2563eb', '#e4572e'];

/** A 5-4-4-3 network in the right-hand panel: its first two layers on one worker, the rest on another. */
function network(): string {
  const columns = [5, 4, 4, 3];
  const x = (c: number) => 744 + c * 112;
  const y = (c: number, i: number) => 228 + (i - (columns[c] - 1) / 2) * 46;
  const edges: string[] = [];
  const nodes: string[] = [];
  columns.forEach((n, c) => {
    for (let i = 0; i < n; i++) {
      if (c + 1 < columns.length) {
        for (let j = 0; j < columns[c + 1]; j++) {
          edges.push(`<line x1="${x(c)}" y1="${y(c, i)}" x2="${x(c + 1)}" y2="${y(c + 1, j)}"/>`);
        }
      }
      nodes.push(`<circle cx="${x(c)}" cy="${y(c, i)}" r="13" fill="${STAGE[c < 2 ? 0 : 1]}"/>`);
    }
  });
  return `<g stroke="#c3cad6" stroke-width="1.6">${edges.join('')}</g>${nodes.join('')}`;
}

/** A falling training loss with a little batch noise, in the panel's lower half. */
function lossCurve(): string {
  const points: string[] = [];
  for (let s = 0; s <= 120; s++) {
    const loss = 0.08 + 0.92 * Math.exp(-s / 22) + 0.03 * (Math.sin(s * 2.3) + 0.7 * Math.sin(s * 5.1 + 1)) * Math.exp(-s / 50);
    points.push(`${(726 + s * 3.2).toFixed(1)},${(548 - loss * 120).toFixed(1)}`);
  }
  return `<line x1="722" y1="552" x2="1118" y2="552" stroke="#d4d9e1" stroke-width="2"/>
    <line x1="722" y1="410" x2="722" y2="552" stroke="#d4d9e1" stroke-width="2"/>
    <polyline points="${points.join(' ')}" fill="none" stroke="#111827" stroke-width="4" stroke-linejoin="round"/>
    <text x="734" y="400" font-size="20" fill="${MUTED}">loss</text>`;
}

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"
  font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
  <rect width="${W}" height="${H}" fill="#f5f7fa"/>
  <rect x="0" y="0" width="${W}" height="10" fill="${ACCENT}"/>
  ${readFileSync(new URL('../public/favicon.svg', import.meta.url), 'utf8').replace('<svg ', '<svg x="72" y="88" width="80" height="80" ')}
  <text x="72" y="262" font-size="64" font-weight="bold" fill="${INK}" letter-spacing="-1">WebGPU</text>
  <text x="72" y="338" font-size="64" font-weight="bold" fill="${INK}" letter-spacing="-1">Training Lab</text>
  <text font-size="27" fill="${MUTED}">
    <tspan x="72" y="408">Train a neural network in your browser</tspan>
    <tspan x="72" y="448">with hand-written WGSL kernels, and see</tspan>
    <tspan x="72" y="488">how large-scale training works.</tspan>
  </text>
  <text x="72" y="560" font-size="22" fill="${ACCENT}">data parallel · pipeline · tensor parallel · share links</text>
  <rect x="690" y="72" width="460" height="510" rx="16" fill="#fff" stroke="#e3e7ee" stroke-width="2"/>
  ${network()}
  ${lossCurve()}
</svg>`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: W, height: H } });
await page.setContent(`<body style="margin:0">${svg}</body>`);
writeFileSync(new URL('../public/social-card.png', import.meta.url), await page.screenshot({ type: 'png' }));
await browser.close();
