// A member the no-GPU tests of the run skeleton and of elastic membership script by hand: it records what the
// coordinator sent it, and says what a replica would (say) or dies (die) when the test wants.
import type { Member } from './members';
import type { FromReplica, ToReplica } from './replica-protocol';

export class ScriptedMember implements Member {
  readonly sent: ToReplica['type'][] = [];
  terminated = false;
  private listener: (e: MessageEvent) => void = () => {};
  private crash: (message: string) => void = () => {};

  constructor(readonly rank: number, readonly name = `replica ${rank}`) {}

  postMessage(m: unknown): void {
    this.sent.push((m as ToReplica).type);
  }

  addEventListener(_type: 'message', listener: (e: MessageEvent) => void): void {
    this.listener = listener;
  }

  terminate(): void {
    this.terminated = true;
  }

  onCrash(listener: (message: string) => void): void {
    this.crash = listener;
  }

  say(m: FromReplica): void {
    this.listener({ data: m } as MessageEvent);
  }

  die(message: string): void {
    this.crash(message);
  }
}
