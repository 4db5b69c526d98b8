// Which activations recomputation keeps (segments of ⌈√L⌉ layers), what that saves in the memory plan, and
// the config's checks of the recompute key.
import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG, parseLink, serializeConfig } from './config';
import { bytesByKind, trainerBuffers } from './memory-plan';
import { modelLayout } from './model';
import { checkpoints, recomputedBefore } from './recompute';

const activations = (sizes: number[], recompute: boolean) => bytesByKind(trainerBuffers({
  layout: modelLayout(sizes), maxRows: 128, accumulate: 1, trainSamples: 0, testSamples: 0, backups: false, staging: false, recompute,
})).activations;

describe('checkpoints', () => {
  it('keeps segment inputs and shares the interiors: 9 layers in segments of 3', () => {
    const c = checkpoints([784, 32, 32, 64, 32, 32, 32, 16, 32, 10], true);
    expect(c.segment).toBe(3);
    expect(c.shared).toEqual([-1, 0, 1, -1, 0, 1, -1, 0, 1, -1]);
    expect(c.sharedWidths).toEqual([32, 32]);
    expect(recomputedBefore(c, 6, 9)).toEqual([4, 5]);
    expect(recomputedBefore(c, 3, 9)).toEqual([1, 2]);
    // The last segment's interior is still there from the forward pass.
    expect(recomputedBefore(c, 9, 9)).toBeNull();
    expect(recomputedBefore(c, 5, 9)).toBeNull();
  });

  it('without recomputation every activation has its own buffer and nothing runs again', () => {
    const c = checkpoints([784, 256, 256, 256, 10], false);
    expect(c.shared).toEqual([-1, -1, -1, -1, -1]);
    expect([1, 2, 3, 4].map((l) => recomputedBefore(c, l, 4))).toEqual([null, null, null, null]);
  });

  it('saves nothing for 784-64-10 and one hidden layer of activations for 784-256-256-256-10', () => {
    expect(activations([784, 64, 10], true)).toBe(activations([784, 64, 10], false));
    expect(activations([784, 256, 256, 256, 10], false) - activations([784, 256, 256, 256, 10], true)).toBe(128 * 256 * 4);
  });
});

describe('the recompute key', () => {
  it('travels in a link and is refused with mode=tensor, naming the field (ZeRO stage 3 takes it)', () => {
    const c = { ...DEFAULT_CONFIG, mode: 'pipeline' as const, layers: [64, 64], recompute: 1 };
    expect(parseLink(serializeConfig(c))).toEqual(c);
    expect(() => applyOverrides(DEFAULT_CONFIG, [['mode', 'tensor'], ['recompute', '1']])).toThrow(/^recompute: must be 0 with mode=tensor/);
    expect(() => applyOverrides(DEFAULT_CONFIG, [['recompute', '2']])).toThrow(/^recompute: must be an integer in \[0, 1\]/);
    expect(applyOverrides(DEFAULT_CONFIG, [['replicas', '2'], ['zero', '3'], ['recompute', '1']]).recompute).toBe(1);
  });
});
