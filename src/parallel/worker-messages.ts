// The worker's side of the protocol (replica-protocol.ts): the init message it trains from, how it posts to
// the coordinator, and its state posted with the buffers transferred rather than copied.
import type { TrainingState } from '../gpu/training-state';
import type { FromReplica, ToReplica } from './replica-protocol';

export type WorkerInit = Extract<ToReplica, { type: 'init' }>;

export type PostToCoordinator = (m: FromReplica, transfer?: Transferable[]) => void;

/** Posts a checkpoint or a local-SGD synchronisation state. */
export function postState(post: PostToCoordinator, type: 'checkpoint' | 'sync-state', rank: number, state: TrainingState): void {
  post({ type, rank, state }, stateTransfer(state));
}

export const stateTransfer = (s: TrainingState): Transferable[] => [s.params.buffer, s.m.buffer, s.v.buffer];
