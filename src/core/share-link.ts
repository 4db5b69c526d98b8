// A share link: the whole RunConfig plus what a link adds for the person who opens it: the expected
// final checksum of the shared run (expect=), whether to start training at once (autostart=1), and the
// controls a teacher hid (hide=). Parsing is all-or-nothing and names the bad key, as for the config.
import { applyOverrides, ConfigError, DEFAULT_CONFIG, FIELDS, linkEntries, serializeConfig, type RunConfig } from './config';

/** What hide= may name: any config field, and these panels and controls of the page. */
export const HIDABLE_PANELS = ['presets', 'share', 'explain', 'code', 'gradcheck', 'downloads', 'dataparallel', 'modelparallel', 'model', 'import'] as const;
export const HIDABLE: readonly string[] = [...FIELDS.map((f) => f.key), ...HIDABLE_PANELS];

export interface ShareLink {
  config: RunConfig;
  /** SHA-256 of the shared run's final weights, to compare against at the end. */
  expect?: string;
  autostart: boolean;
  hide: string[];
}

const SHA256 = /^[0-9a-f]{64}$/;

export function parseShareLink(link: string, base: RunConfig = DEFAULT_CONFIG): ShareLink {
  const configEntries: [string, string][] = [];
  const out: ShareLink = { config: base, autostart: false, hide: [] };
  const seen = new Set<string>();
  for (const [key, value] of linkEntries(link)) {
    if (key !== 'expect' && key !== 'autostart' && key !== 'hide') {
      configEntries.push([key, value]);
      continue;
    }
    if (seen.has(key)) throw new ConfigError(key, 'given more than once');
    seen.add(key);
    if (key === 'expect') {
      if (!SHA256.test(value)) throw new ConfigError('expect', 'must be a SHA-256 as 64 lowercase hex digits');
      out.expect = value;
    } else if (key === 'autostart') {
      if (value !== '0' && value !== '1') throw new ConfigError('autostart', `must be 0 or 1, got ${JSON.stringify(value.slice(0, 40))}`);
      out.autostart = value === '1';
    } else {
      const names = value === '' ? [] : value.split(',');
      const unknown = names.find((n) => !HIDABLE.includes(n));
      if (unknown !== undefined) throw new ConfigError('hide', `unknown control ${JSON.stringify(unknown.slice(0, 40))} (one of ${HIDABLE.join(', ')})`);
      out.hide = [...new Set(names)];
    }
  }
  out.config = applyOverrides(base, configEntries);
  return out;
}

export function serializeShareLink(s: ShareLink): string {
  const parts = [serializeConfig(s.config)];
  if (s.expect) parts.push(`expect=${s.expect}`);
  if (s.autostart) parts.push('autostart=1');
  if (s.hide.length) parts.push(`hide=${s.hide.join(',')}`);
  return parts.join('&');
}
