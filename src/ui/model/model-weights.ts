// The weights the model views show: rank 0's live weights, polled about twice a second while a run
// trains, fetched once when it pauses or ends, and nothing while idle (no polling then).
import { useEffect, useState } from 'react';
import type { RunConfig } from '../../core/config';
import type { ParamsSnapshot } from '../../parallel/page-session';
import { currentWeights } from '../run/run-controller';
import { useLab } from '../store';

const POLL_MS = 500;

export interface RunWeights extends ParamsSnapshot {
  /** The run is over: these are its final weights. */
  final: boolean;
}

export function useRunWeights(): RunWeights | null {
  const status = useLab((s) => s.status);
  const runConfig = useLab((s) => s.runConfig);
  const [held, setHeld] = useState<{ config: RunConfig; snapshot: RunWeights } | null>(null);

  useEffect(() => {
    if (!runConfig || status === 'idle' || status === 'error') return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const snapshot = await currentWeights();
      if (!live) return;
      if (snapshot) setHeld({ config: runConfig, snapshot: { ...snapshot, final: status === 'done' || status === 'stopped' } });
      if (status === 'running') timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [status, runConfig]);

  return held && held.config === runConfig ? held.snapshot : null;
}
