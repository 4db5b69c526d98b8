// Command-line flags of `npm run train`, turned into a RunConfig through the same field table as links.
import { applyOverrides, ConfigError, FIELDS, linkEntries, type RunConfig } from '../core/config';
import { findPreset, PRESETS } from '../core/presets';
import { DEFAULT_CONFIG } from '../core/config';

export interface CliOptions {
  config: RunConfig;
  json: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run train -- [--preset NAME] [--link URL-or-hash] [--set key=value ...] [--json]
  --preset NAME   start from a preset: ${PRESETS.map((p) => p.name).join(', ')}
  --link URL      a share link or its hash (#v=1&dataset=...); overrides the preset
  --set k=v       set one field; overrides the link. Keys:
${FIELDS.map((f) => `                    ${f.key.padEnd(10)}${f.help}`).join('\n')}
  --json          print JSON Lines only (step, eval, timing, done or stopped records)`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliOptions {
  let base = DEFAULT_CONFIG;
  let link: [string, string][] = [];
  const sets: [string, string][] = [];
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--json') json = true;
    else if (flag === '--help' || flag === '-h') help = true;
    else if (flag === '--preset') {
      const name = value();
      const preset = findPreset(name);
      if (!preset) throw new ConfigError('preset', `unknown preset "${name}" (known: ${PRESETS.map((p) => p.name).join(', ')})`);
      base = preset.config;
    } else if (flag === '--link') link = linkEntries(value());
    else if (flag === '--set') {
      const pair = value();
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--set needs key=value, got "${pair}"`);
      sets.push([pair.slice(0, eq), pair.slice(eq + 1)]);
    } else throw new UsageError(`unknown flag "${flag}"`);
  }
  const config = applyOverrides(applyOverrides(base, link), sets);
  return { config, json, help };
}
