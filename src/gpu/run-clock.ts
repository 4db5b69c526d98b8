// The clock of a run's timings: one the page, its workers and the CLI's threads share, so start-up and
// the timeline's spans line up across them.

/** Milliseconds on a clock the page, its workers and the CLI's threads share, for start-up across them. */
export const runClock = (): number => performance.timeOrigin + performance.now();
