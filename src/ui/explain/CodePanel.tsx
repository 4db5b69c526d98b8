// The current settings as equivalent Keras and PyTorch code (from core/codegen.ts), with a Copy button.
// Hidden by hide=code.
import { useState } from 'react';
import { kerasCode, pytorchCode } from '../../core/codegen';
import { useHidden } from '../share/hidden';
import { useLab } from '../store';

const LANGUAGES = [
  { id: 'keras', label: 'Keras', generate: kerasCode },
  { id: 'pytorch', label: 'PyTorch', generate: pytorchCode },
] as const;

export function CodePanel() {
  const config = useLab((s) => s.config);
  const [language, setLanguage] = useState<(typeof LANGUAGES)[number]['id']>('keras');
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  if (useHidden('code')) return null;
  const code = LANGUAGES.find((l) => l.id === language)!.generate(config);

  const copy = () => navigator.clipboard.writeText(code).then(() => setCopied('copied'), () => setCopied('failed'));

  return (
    <section className="panel code-panel" aria-label="Code">
      <div className="code-head">
        <h2>The same model in code</h2>
        <div className="segmented" role="group" aria-label="Language">
          {LANGUAGES.map((l) => (
            <button key={l.id} type="button" aria-pressed={language === l.id} onClick={() => { setLanguage(l.id); setCopied(null); }}>{l.label}</button>
          ))}
        </div>
        <button type="button" className="button small" onClick={() => void copy()}>Copy</button>
        <span className="hint" role="status">{copied === 'copied' ? 'Copied.' : copied === 'failed' ? 'No clipboard access: select the code.' : ''}</span>
      </div>
      <pre className="code" tabIndex={0} aria-label={`${language} code`} data-testid="code"><code>{code}</code></pre>
    </section>
  );
}
