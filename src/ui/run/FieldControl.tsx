// One form control for one RunConfig field, built from its FieldSpec: a select for an enum, a text
// box otherwise. Text is committed on Enter or blur; a rejected value reverts to the last valid one.
// A share link's hide=<key> hides the control (classroom mode).
import { useState } from 'react';
import { formatField, type FieldSpec, type RunConfig } from '../../core/config';
import { useHidden } from '../share/hidden';

interface FieldControlProps {
  field: FieldSpec;
  value: RunConfig[FieldSpec['key']];
  /** Applies the text, or reports why not in the alert region. */
  onCommit: (field: FieldSpec, text: string) => void;
  /** A line under the help that follows the config (the batch's make-up). */
  note?: string;
}

export function FieldControl({ field, value, onCommit, note }: FieldControlProps) {
  const text = formatField(value);
  const [draft, setDraft] = useState(text);
  const hidden = useHidden(field.key);
  const id = `field-${field.key}`;
  const helpId = `${id}-help`;

  // An accepted value remounts this control (its key holds the value); a rejected or merely
  // reformatted one ("0.050") shows the config's own text again.
  const commit = () => {
    if (draft === text) return;
    onCommit(field, draft);
    setDraft(text);
  };

  if (hidden) return null;
  return (
    <div className={`field field-${field.kind}`}>
      <label htmlFor={id}>{field.label}</label>
      {field.kind === 'enum' ? (
        <select id={id} name={field.key} value={text} aria-describedby={helpId} onChange={(e) => onCommit(field, e.target.value)}>
          {field.values.map((v) => <option key={v} value={v}>{v}</option>)}
        </select>
      ) : (
        <input
          id={id}
          name={field.key}
          type="text"
          inputMode={field.kind === 'number' ? 'decimal' : field.kind === 'int' ? 'numeric' : 'text'}
          autoComplete="off"
          spellCheck={false}
          value={draft}
          aria-describedby={helpId}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => { if (e.key === 'Enter') commit(); }}
        />
      )}
      <small id={helpId} className="field-help">{field.help}</small>
      {note && <small className="field-note" data-testid={`${id}-note`}>{note}</small>}
    </div>
  );
}
