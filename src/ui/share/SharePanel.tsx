// The Share field: the link that reproduces this run (config, seed, and once a run of it has finished
// its weights checksum as expect=), copied to the clipboard on each Share, with an autostart option.
import { useEffect, useRef, useState } from 'react';
import { serializeShareLink } from '../../core/share-link';
import { currentLink } from './hash-sync';
import { useHiddenStore } from './hidden';
import { useLab } from '../store';

type CopyState = 'copying' | 'copied' | 'failed';

/** `request` counts Share presses: each one copies the link again. */
export function SharePanel({ request }: { request: number }) {
  const [autostart, setAutostart] = useState(false);
  const [copy, setCopy] = useState<CopyState>('copying');
  const field = useRef<HTMLInputElement>(null);
  // Re-render when anything in the link changes.
  useLab((s) => s.config);
  const expect = useLab((s) => s.expect);
  useHiddenStore((s) => s.hidden);
  const { origin, pathname } = window.location;
  const link = `${origin}${pathname}#${serializeShareLink(currentLink(autostart))}`;

  useEffect(() => {
    setCopy('copying');
    field.current?.select();
    navigator.clipboard.writeText(link).then(() => setCopy('copied'), () => setCopy('failed'));
    // Copy on each Share press and when the autostart choice changes the link, not on every render.
  }, [request, autostart]);

  return (
    <div className="share-panel">
      <label htmlFor="share-link">Share link</label>
      <input id="share-link" ref={field} type="text" readOnly value={link} onFocus={(e) => e.target.select()} />
      <label className="checkbox">
        <input type="checkbox" checked={autostart} onChange={(e) => setAutostart(e.target.checked)} />
        Start training when opened
      </label>
      <p className="hint" role="status">
        {copy === 'copied' ? 'Copied to the clipboard. ' : copy === 'failed' ? 'Select the link and copy it (no clipboard access). ' : ''}
        {expect ? 'It carries the final weights checksum of a run of these settings: whoever trains it to the end sees whether they reproduced it exactly.'
          : 'It holds every setting and the seed. Train to the end to add the weights checksum.'}
      </p>
    </div>
  );
}
