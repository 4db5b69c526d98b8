// Messages between the bench page and its lab worker: one request, one reply, in turn.
import type { MatmulShape } from '../kernels';

export type LabRequest =
  | { kind: 'matmul'; shape: MatmulShape; samples: number; sampleMs: number; warm: boolean }
  | { kind: 'train'; batch: number; steps: number; first: number }
  | { kind: 'copy'; bytes: number; samples: number };

export type LabReply =
  | { kind: 'ready'; adapter: string }
  | { kind: 'matmul'; ms: number }
  | { kind: 'train'; ms: number; loss: number }
  | { kind: 'copy'; gbs: number }
  | { kind: 'error'; message: string };
