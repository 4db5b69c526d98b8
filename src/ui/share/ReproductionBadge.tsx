// Whether this run reproduced the shared one: the final weights checksum against the link's expect=.
import { serializeConfig } from '../../core/config';
import type { DoneRecord } from '../../core/metrics';
import { useLab } from '../store';

export function ReproductionBadge({ done }: { done: DoneRecord | null }) {
  const expected = useLab((s) => s.sharedExpect);
  const sameRun = useLab((s) => s.runConfig !== null && serializeConfig(s.runConfig) === serializeConfig(s.config));
  if (!expected) return null;
  if (!done || !sameRun) {
    return (
      <p className="repro repro-pending" data-testid="reproduction">
        This link expects final weights <code>{expected.slice(0, 12)}…</code>: train to the end to compare.
      </p>
    );
  }
  const same = done.weightsSha256 === expected;
  return (
    <p role="status" className={`repro ${same ? 'repro-same' : 'repro-differs'}`} data-testid="reproduction">
      {same ? '✓ reproduced exactly: the same final weights, bit for bit, as the shared run'
        : '≠ differs from the shared run (different GPU or driver)'}
      {!same && <span className="muted"> expected <code>{expected.slice(0, 12)}…</code></span>}
    </p>
  );
}
