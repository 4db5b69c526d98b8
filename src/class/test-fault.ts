// Tests only: a class member that breaks the all-reduce on purpose at one step, to show that the teacher
// removes and names it and that the run never takes its update, or that goes silent there, as a laptop
// that falls asleep does. It wraps the member's local host (what serveClass runs each instance on): at that
// step the member's vector leaves poisoned, NaN or one value short, on its star message to the teacher and
// on every ring chunk it sends to its right neighbour; or its star vector (or, on the ring, its report) of
// that step leaves without its type; or its ring chunks (or star vector) of that step leave without the round
// and chunk they belong to, which no receiver could ever match; or from that step on nothing it sends leaves
// (no chunk, vector, report or heartbeat answer). The member's replica does not know (its report is honest), so the teacher must find
// it from what arrives.
// Nothing in a link or a config reaches it: a test wraps the host itself (a Node member: the
// LAB_TEST_FAULT environment variable, see testFaultFromEnv).
import type { RingMessage } from '../parallel/allreduce';
import type { Member, MemberHost } from '../parallel/members';
import type { FromReplica, ToReplica } from '../parallel/replica-protocol';

export interface TestFault {
  /** The step (counted from 1, as the records are) whose vector is poisoned. Gradient all-reduce (sync=step) only. */
  step: number;
  /**
   * nan: every value NaN; length: the vector (or ring chunk) one value short; malformed: the step's first
   * message to the teacher without its type; unmatched: the step's ring chunks without their round and chunk
   * (star: its vector without its round); silent: nothing leaves from then on.
   */
  kind: 'nan' | 'length' | 'malformed' | 'unmatched' | 'silent';
}

function poison<T extends Float32Array | Float64Array>(data: T, kind: 'nan' | 'length'): T {
  return (kind === 'length' ? data.slice(0, data.length - 1) : data.map(() => NaN)) as T;
}

/** `local`, whose members poison their vector of step `fault.step`. */
export function withTestFault(local: Pick<MemberHost, 'spawn'>, fault: TestFault): Pick<MemberHost, 'spawn'> {
  return { spawn: (rank) => faulty(local.spawn(rank), fault) };
}

function faulty(member: Member, fault: TestFault): Member {
  /** The all-reduce round of the poisoned step in this instance (its rounds count from its first step). */
  let round = -1;
  /** Whether this member has fallen silent, or sent its malformed message. */
  let silent = false;
  let spent = false;
  /** What a message of all-reduce round `r` carries when it leaves (poisoned in the fault's round); null: it does not leave. */
  const leaves = <T extends Float32Array | Float64Array>(r: number, data: T): T | null => {
    if (fault.kind === 'silent') {
      silent ||= r >= round;
      return silent ? null : data;
    }
    return r === round && (fault.kind === 'nan' || fault.kind === 'length') ? poison(data, fault.kind) : data;
  };
  /** Whether a message of all-reduce round `r` leaves without the round (and chunk) it belongs to. */
  const unmarked = (r: number) => fault.kind === 'unmatched' && r === round;
  return {
    postMessage(message, transfer = []) {
      const init = message as ToReplica;
      if (init.type === 'init') {
        round = fault.step - 1 - (init.resume?.step ?? 0);
        const right = init.right;
        if (right) {
          // The member sends on a port of ours; its chunks go on to the real right end, poisoned in that round.
          const { port1, port2 } = new MessageChannel();
          port1.addEventListener('message', (e) => {
            const chunk = e.data as RingMessage;
            const data = leaves(chunk.round, chunk.data);
            if (data && unmarked(chunk.round)) right.postMessage({ type: chunk.type, data }, [data.buffer]);
            else if (data) right.postMessage({ ...chunk, data }, [data.buffer]);
          });
          port1.start();
          message = { ...init, right: port2 };
          transfer = transfer.map((t) => (t === right ? port2 : t));
        }
      }
      member.postMessage(message, transfer);
    },
    addEventListener(type, listener) {
      member.addEventListener(type, (e) => {
        const m = e.data as FromReplica;
        if (fault.kind === 'malformed' && !spent && ((m.type === 'star' && m.round === round) || (m.type === 'report' && m.step === fault.step))) {
          spent = true;
          const { type: _type, ...untyped } = m;
          listener({ data: untyped } as MessageEvent);
          return;
        }
        const data = m.type === 'star' ? leaves(m.round, m.data) : null;
        if (m.type === 'star' && data && unmarked(m.round)) {
          const { round: _round, ...unrounded } = m;
          listener({ data: { ...unrounded, data } } as MessageEvent);
        } else if (m.type === 'star' && data) listener({ data: { ...m, data } } as MessageEvent);
        else if (m.type !== 'star' && !silent) listener(e);
      });
    },
    terminate: () => member.terminate(),
    onCrash: (listener) => member.onCrash(listener),
  };
}

/** LAB_TEST_FAULT=nan@6, length@6, malformed@6, unmatched@6 or silent@6: a Node member's test fault; null when unset. */
export function testFaultFromEnv(value: string | undefined): TestFault | null {
  if (!value) return null;
  const match = /^(nan|length|malformed|unmatched|silent)@(\d+)$/.exec(value);
  if (!match) throw new Error(`LAB_TEST_FAULT: give nan@STEP, length@STEP, malformed@STEP, unmatched@STEP or silent@STEP, got "${value.slice(0, 40)}"`);
  return { kind: match[1] as TestFault['kind'], step: Number(match[2]) };
}
