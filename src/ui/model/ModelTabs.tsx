// The tab bar and panel of the model views (MNIST's, and an imported set's).
import type { ReactNode } from 'react';

interface Props<K extends string> {
  tabs: readonly { key: K; label: string }[];
  tab: K;
  onSelect: (key: K) => void;
  children: ReactNode;
}

export function ModelTabs<K extends string>({ tabs, tab, onSelect, children }: Props<K>) {
  return (
    <div className="model-tabs">
      <div role="tablist" aria-label="Model views" className="segmented">
        {tabs.map((t) => (
          <button key={t.key} type="button" role="tab" id={`model-tab-${t.key}`} aria-selected={tab === t.key}
            aria-pressed={tab === t.key} aria-controls="model-tabpanel" onClick={() => onSelect(t.key)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="model-tabpanel" aria-labelledby={`model-tab-${tab}`} className="model-tabpanel">
        {children}
      </div>
    </div>
  );
}
