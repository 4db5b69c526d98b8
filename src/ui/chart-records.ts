// The records as one chart sees them: refreshed at most every REFRESH_MS, each chart in its own task
// (slot k waits k × SLOT_MS more) as a transition, so redrawing the charts never blocks the page.
import { startTransition, useEffect, useState } from 'react';
import type { MetricRecord } from '../core/metrics';
import { useLab } from './store';

const REFRESH_MS = 500;
const SLOT_MS = 120;

export function useChartRecords(slot: number): MetricRecord[] {
  const [records, setRecords] = useState(() => useLab.getState().records);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      timer = null;
      startTransition(() => setRecords(useLab.getState().records));
    };
    const unsubscribe = useLab.subscribe((s, before) => {
      if (s.records === before.records || timer !== null) return;
      timer = setTimeout(refresh, (s.records.length === 0 ? 0 : REFRESH_MS) + slot * SLOT_MS);
    });
    refresh();
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [slot]);
  return records;
}
