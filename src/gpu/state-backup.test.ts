// The good-state backup on Dawn: a copy counts only after two sane steps, a copy waiting to be verified
// is never overwritten, a soaring loss discards it, and restore puts the good state back in place.
import { describe, expect, it } from 'vitest';
import { StateBackup } from './state-backup';
import { readFloats, testContext, upload } from './testing';

describe('StateBackup', () => {
  it('keeps the newest copy whose next two steps were sane, and restores it', async () => {
    const ctx = await testContext();
    const { device } = ctx;
    const live = { params: upload(ctx, new Float32Array(4).fill(1)), m: upload(ctx, new Float32Array(4).fill(10)), v: upload(ctx, new Float32Array(4).fill(100)) };
    /** The trainer's buffers after a step: every value marked with it. */
    const setStep = (step: number) => [live.params, live.m, live.v].forEach((b, k) => device.queue.writeBuffer(b, 0, new Float32Array(4).fill(step + k / 10)));
    const backup = new StateBackup(device, live, 0);

    setStep(4);
    backup.save(4);
    setStep(8);
    backup.save(8); // the copy of step 4 still waits: not overwritten
    backup.verified(5);
    expect(backup.goodStep).toBe(0);
    backup.verified(6);
    expect(backup.goodStep).toBe(4);

    setStep(12);
    backup.save(12);
    backup.rejected(13); // a soaring loss right after step 12: that copy is dropped
    backup.verified(15);
    expect(backup.goodStep).toBe(4);
    setStep(16);
    backup.save(16);
    setStep(17); // the live state moves on, and goes bad
    backup.verified(17);
    expect(backup.goodStep).toBe(4);
    backup.verified(18);
    expect(backup.goodStep).toBe(16);

    const kept = (await backup.restore())!;
    expect(kept.step).toBe(16);
    expect([...kept.params, ...kept.m, ...kept.v]).toEqual([...Array(4).fill(16), ...Array(4).fill(16.1), ...Array(4).fill(16.2)].map(Math.fround));
    expect([...await readFloats(ctx, live.params)]).toEqual(Array(4).fill(16));
    expect([...await readFloats(ctx, live.v)]).toEqual(Array(4).fill(Math.fround(16.2)));
  });

  it('hands back nothing when the good copy is not finite after all', async () => {
    const ctx = await testContext();
    const live = { params: upload(ctx, new Float32Array([1, NaN, 1, 1])), m: upload(ctx, new Float32Array(4)), v: upload(ctx, new Float32Array(4)) };
    expect(await new StateBackup(ctx.device, live, 0).restore()).toBeNull();
  });
});
