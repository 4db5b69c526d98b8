// Classroom mode: which controls and panels a share link's hide= hid. Components ask useHidden(name)
// with a config key or a name from HIDABLE_PANELS and render nothing when it is true.
import { create } from 'zustand';

interface HiddenState {
  hidden: readonly string[];
  setHidden: (hidden: readonly string[]) => void;
}

export const useHiddenStore = create<HiddenState>()((set) => ({
  hidden: [],
  setHidden: (hidden) => set({ hidden }),
}));

/** True when the opened link hid this control or panel (hide=name). */
export function useHidden(name: string): boolean {
  return useHiddenStore((s) => s.hidden.includes(name));
}
