// The page's side of the prediction worker: one worker, requests by id, and per view at most one
// request in flight plus the latest waiting one (older waiting requests resolve to null).
export interface PredictRequest {
  id: number;
  /** Layer sizes [inputs, hidden…, classes]. */
  sizes: number[];
  /** Flat parameters in the model layout; a copy is transferred. */
  params: Float32Array;
  /** Inputs [n, inputs]. */
  x: Float32Array;
  n: number;
}

export interface PredictResponse {
  id: number;
  /** [n, classes]. */
  probs: Float32Array;
}

type Job = Omit<PredictRequest, 'id'>;

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, (probs: Float32Array) => void>();

function send(job: Job): Promise<Float32Array> {
  if (!worker) {
    worker = new Worker(new URL('./predict-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<PredictResponse>) => {
      waiting.get(e.data.id)?.(e.data.probs);
      waiting.delete(e.data.id);
    };
  }
  const id = ++nextId;
  const params = job.params.slice();
  const request: PredictRequest = { ...job, id, params };
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker!.postMessage(request, [params.buffer]);
  });
}

interface Lane {
  busy: boolean;
  queued: { job: Job; resolve: (p: Float32Array | null) => void } | null;
}
const lanes = new Map<string, Lane>();

/** Probabilities for `job`, or null when a newer request of the same `lane` replaced it before it ran. */
export function predictLatest(lane: string, job: Job): Promise<Float32Array | null> {
  let l = lanes.get(lane);
  if (!l) lanes.set(lane, (l = { busy: false, queued: null }));
  const state = l;
  return new Promise((resolve) => {
    state.queued?.resolve(null);
    state.queued = { job, resolve };
    const pump = () => {
      if (state.busy || !state.queued) return;
      const next = state.queued;
      state.queued = null;
      state.busy = true;
      void send(next.job).then((probs) => {
        state.busy = false;
        next.resolve(probs);
        pump();
      });
    };
    pump();
  });
}
