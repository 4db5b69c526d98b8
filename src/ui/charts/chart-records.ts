// The records as one chart or view sees them: refreshed at most every REFRESH_MS, and at most one view
// per animation frame (the others wait their turn), each as a transition, so redraws never pile up into
// one long task and a hidden tab redraws nothing.
import { startTransition, useEffect, useState } from 'react';
import type { MetricRecord } from '../../core/metrics';
import { useLab } from '../store';

const REFRESH_MS = 500;

/** Views waiting for a frame of their own, first come first served. */
const waiting: (() => void)[] = [];
let frame: number | null = null;

function nextInLine(): void {
  frame = null;
  waiting.shift()?.();
  if (waiting.length > 0) frame = requestAnimationFrame(nextInLine);
}

function inFrame(refresh: () => void): void {
  waiting.push(refresh);
  frame ??= requestAnimationFrame(nextInLine);
}

export function useChartRecords(): MetricRecord[] {
  const [records, setRecords] = useState(() => useLab.getState().records);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let queued = false;
    let last = -Infinity;
    const refresh = () => {
      queued = false;
      last = performance.now();
      startTransition(() => setRecords(useLab.getState().records));
    };
    const request = () => {
      if (queued || timer !== null) return;
      const wait = last + REFRESH_MS - performance.now();
      const queue = () => {
        timer = null;
        queued = true;
        inFrame(refresh);
      };
      if (wait > 0) timer = setTimeout(queue, wait);
      else queue();
    };
    const unsubscribe = useLab.subscribe((s, before) => {
      if (s.records === before.records) return;
      // A cleared run (Reset, a new run) shows at once.
      if (s.records.length === 0) {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        last = -Infinity;
      }
      request();
    });
    request();
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
      const at = waiting.indexOf(refresh);
      if (at >= 0) waiting.splice(at, 1);
    };
  }, []);
  return records;
}
