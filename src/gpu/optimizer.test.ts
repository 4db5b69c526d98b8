// optimizer.wgsl: SGD, momentum and Adam (bias-corrected) against the float64 reference over several
// steps of a warm-up and a cosine decay, on a parameter count that is not a multiple of the workgroup size.
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../core/config';
import type { LrSchedule } from '../core/optimizers';
import { optimizerStepRef } from '../core/reference';
import { optimizerUpdate } from './optimizer';
import { encodeDispatches } from './context';
import { freshRng, randomFloats, readFloats, relativeError, testContext, upload } from './testing';

describe('optimizer', () => {
  for (const kind of OPTIMIZERS) {
    it(`${kind}: 2 warm-up steps and 3 of cosine decay, P=1000`, async () => {
      const ctx = await testContext();
      const { rng, seed } = freshRng();
      const P = 1000;
      const lr: LrSchedule = { peak: 0.01, warmup: 2, decay: 'cosine', totalSteps: 5 };
      const w0 = randomFloats(rng, P);
      const weights = upload(ctx, w0);
      const m = upload(ctx, new Float32Array(P));
      const v = upload(ctx, new Float32Array(P));
      const gradBuffer = upload(ctx, new Float32Array(P));
      const update = optimizerUpdate(ctx, 'test', { kind, lr, P, grads: gradBuffer, weights, m, v });
      const ref = { params: Float64Array.from(w0), m: new Float64Array(P), v: new Float64Array(P), t: 0 };
      for (let t = 1; t <= lr.totalSteps; t++) {
        const g = randomFloats(rng, P, 0.5);
        ctx.device.queue.writeBuffer(gradBuffer, 0, g);
        update.prepare(t);
        const encoder = ctx.device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        encodeDispatches(pass, [update.dispatch]);
        pass.end();
        ctx.device.queue.submit([encoder.finish()]);
        optimizerStepRef(kind, ref, g, lr);
      }
      const got = await readFloats(ctx, weights, P);
      // Compare the change in weights: that is what the optimizer computes.
      const delta = got.map((x, i) => x - w0[i]);
      const refDelta = ref.params.map((x, i) => x - w0[i]);
      expect(relativeError(delta, refDelta), `seed ${seed}`).toBeLessThan(1e-5);
      if (kind !== 'sgd') expect(relativeError(await readFloats(ctx, m, P), ref.m), `seed ${seed}`).toBeLessThan(1e-5);
      if (kind === 'adam') expect(relativeError(await readFloats(ctx, v, P), ref.v), `seed ${seed}`).toBeLessThan(1e-5);
    });
  }
});
