// Activation recomputation (checkpointing) of one device's or replica's run of dense layers, the pure part:
// like torch.utils.checkpoint.checkpoint_sequential, segments of ⌈√L⌉ layers keep their inputs through the
// forward pass; the other activations share buffers and are recomputed from the segment's input before
// its backward (the last segment's are still there from the forward pass).

export interface Checkpoints {
  /** Layers per segment: ⌈√L⌉ with recomputation, L without (one segment, nothing recomputed). */
  segment: number;
  /** For each activation l (0 the input, L the logits): −1 when it has a buffer of its own, else the shared buffer it lives in. */
  shared: number[];
  /** Floats per row of each shared buffer: the widest activation it holds. */
  sharedWidths: number[];
}

/** Where each activation of a network with layer sizes `sizes` lives. */
export function checkpoints(sizes: readonly number[], recompute: boolean): Checkpoints {
  const L = sizes.length - 1;
  const segment = recompute ? Math.ceil(Math.sqrt(L)) : L;
  const sharedWidths: number[] = [];
  const shared = sizes.map((width, l) => {
    if (!recompute || l % segment === 0) return -1;
    const i = (l % segment) - 1;
    sharedWidths[i] = Math.max(sharedWidths[i] ?? 0, width);
    return i;
  });
  return { segment, shared, sharedWidths };
}

/**
 * The layers (1-based, first and last) whose forward runs again just before layer l's backward: the
 * interior of the segment that l ends, unless it is the last segment; null when none.
 */
export function recomputedBefore(c: Checkpoints, l: number, layers: number): [number, number] | null {
  if (l % c.segment !== 0 || l >= layers || c.segment === 1) return null;
  return [l - c.segment + 1, l - 1];
}
