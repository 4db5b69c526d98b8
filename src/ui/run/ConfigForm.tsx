// The run settings: a preset picker with the preset's explanation, and one control per entry of the
// FIELDS table. Locked while a run is active; every accepted edit becomes the new config (and URL hash).
import {
  applyOverrides, ConfigError, FIELDS, formatField, serializeConfig, type ConfigKey, type FieldSpec, type RunConfig,
} from '../../core/config';
import { PRESETS } from '../../core/presets';
import { batchMakeup } from './batch-makeup';
import { FieldControl } from './FieldControl';
import { useHidden } from '../share/hidden';
import { isActive, useLab } from '../store';

const CUSTOM = '';

/** Settings that mean nothing in a mode are left out of the form (the link keeps their values). */
const ONLY_IN: Partial<Record<ConfigKey, readonly RunConfig['mode'][]>> = {
  replicas: ['data', 'pipeline'], shard: ['data', 'pipeline'], allreduce: ['data'], sync: ['data'],
  stages: ['pipeline', 'tensor'], microbatches: ['pipeline'], schedule: ['pipeline'], recompute: ['data', 'pipeline'],
};

const applies = (key: ConfigKey, mode: RunConfig['mode']) => ONLY_IN[key]?.includes(mode) ?? true;

function commitField(field: FieldSpec, text: string): void {
  const { config, setConfig, setConfigError } = useLab.getState();
  try {
    setConfig(applyOverrides(config, [[field.key, text]]));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    setConfigError(`Not applied, keeping the last valid value. ${e.message}`);
  }
}

function choosePreset(name: string): void {
  const preset = PRESETS.find((p) => p.name === name);
  if (preset) useLab.getState().setConfig(preset.config);
}

export function ConfigForm() {
  const config = useLab((s) => s.config);
  const locked = useLab((s) => isActive(s.status));
  const link = serializeConfig(config);
  const preset = PRESETS.find((p) => serializeConfig(p.config) === link);
  const presetsHidden = useHidden('presets');

  return (
    <form className="config-form" aria-label="Run settings" onSubmit={(e) => e.preventDefault()}>
      <fieldset disabled={locked}>
        <legend>Settings{locked && <span className="legend-note"> (locked during a run)</span>}</legend>
        {!presetsHidden && (
          <div className="field field-preset">
            <label htmlFor="preset">Preset</label>
            <select id="preset" value={preset?.name ?? CUSTOM} aria-describedby="preset-description" onChange={(e) => choosePreset(e.target.value)}>
              <option value={CUSTOM} disabled>Custom settings</option>
              {PRESETS.map((p) => <option key={p.name} value={p.name} title={p.title}>{p.title}</option>)}
            </select>
            <p id="preset-description" className="preset-description" data-testid="preset-description">
              {preset ? preset.description : 'Custom settings: pick a preset for a guided example.'}
            </p>
          </div>
        )}
        <div className="field-grid">
          {FIELDS.filter((f) => applies(f.key, config.mode)).map((f) => (
            <FieldControl key={`${f.key}=${formatField(config[f.key])}`} field={f} value={config[f.key]} onCommit={commitField}
              note={f.key === 'batch' && (config.accumulate > 1 || config.replicas > 1) ? batchMakeup(config) : undefined} />
          ))}
        </div>
      </fieldset>
    </form>
  );
}
