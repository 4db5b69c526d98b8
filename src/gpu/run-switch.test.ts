// The run switch's state requests: one asked for at the pause's step boundary waits for the loop to hold there.
import { describe, expect, it } from 'vitest';
import { RunSwitch } from './run-switch';
import type { TrainingState } from './training-state';

const stateAt = (step: number) => ({ step }) as unknown as TrainingState;

describe('RunSwitch state requests', () => {
  it('a held request waits until the loop holds at the pause; a plain one answers at once', async () => {
    const control = new RunSwitch();
    let step = 5;
    control.serveState(async () => stateAt(step));
    control.pause();
    // The loop is in step 6: it has not reached the pause yet.
    const held = control.state(true, true);
    expect((await control.state(true))!.step).toBe(5);
    step = 6;
    void control.enterStep();
    expect((await held)!.step).toBe(6);
  });

  it('a held request is answered when the run is resumed, stopped or ends instead of holding', async () => {
    for (const lift of ['resume', 'stop', 'end'] as const) {
      const control = new RunSwitch();
      control.serveState(async () => stateAt(9));
      control.pause();
      const held = control.state(true, true);
      control[lift]();
      expect((await held)!.step, lift).toBe(9);
    }
  });
});
