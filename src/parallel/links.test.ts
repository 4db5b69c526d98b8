// Links name the members at their two ends when they are made (a remote host routes by them): each ring
// and chain end handed to member r was made for member r, and its other end for the neighbour it talks to.
import { describe, expect, it } from 'vitest';
import { chain, ranks, ring } from './links';

/** A host whose "ports" record which members their link was made for. */
function recordingHost() {
  return {
    channel: (a: number, b: number) => ({
      port1: { holder: a, peer: b } as unknown as MessagePort,
      port2: { holder: b, peer: a } as unknown as MessagePort,
    }),
  };
}

const end = (p: MessagePort | undefined) => p as unknown as { holder: number; peer: number } | undefined;

describe('links', () => {
  it('ranks lists a run, a replica\'s stages and a stage across replicas', () => {
    expect(ranks(3)).toEqual([0, 1, 2]);
    expect(ranks(3, 4)).toEqual([4, 5, 6]);
    expect(ranks(3, 1, 4)).toEqual([1, 5, 9]);
  });

  it('a ring through members 1, 5, 9: each receives from the one before and sends to the one after', () => {
    const members = [1, 5, 9];
    const ends = ring(recordingHost(), members);
    ends.forEach((e, k) => {
      expect(end(e.right)).toEqual({ holder: members[k], peer: members[(k + 1) % 3] });
      expect(end(e.left)).toEqual({ holder: members[k], peer: members[(k + 2) % 3] });
    });
  });

  it('a chain through members 4, 5, 6: the first has no prev, the last no next', () => {
    const ends = chain(recordingHost(), [4, 5, 6]);
    expect(ends.map((e) => [end(e.prev), end(e.next)])).toEqual([
      [undefined, { holder: 4, peer: 5 }],
      [{ holder: 5, peer: 4 }, { holder: 5, peer: 6 }],
      [{ holder: 6, peer: 5 }, undefined],
    ]);
  });
});
