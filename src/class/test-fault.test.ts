// The test-only member fault: LAB_TEST_FAULT names a kind and a step, and anything else is refused by name.
import { describe, expect, it } from 'vitest';
import { testFaultFromEnv } from './test-fault';

describe('LAB_TEST_FAULT', () => {
  it('reads kind@step, is absent when unset, and refuses anything else naming the variable', () => {
    expect(testFaultFromEnv('nan@6')).toEqual({ kind: 'nan', step: 6 });
    expect(testFaultFromEnv('unmatched@6')).toEqual({ kind: 'unmatched', step: 6 });
    expect(testFaultFromEnv('silent@12')).toEqual({ kind: 'silent', step: 12 });
    expect(testFaultFromEnv(undefined)).toBeNull();
    expect(testFaultFromEnv('')).toBeNull();
    expect(() => testFaultFromEnv('nan')).toThrow('LAB_TEST_FAULT: give nan@STEP, length@STEP, malformed@STEP, unmatched@STEP or silent@STEP, got "nan"');
    expect(() => testFaultFromEnv('inf@3')).toThrow(/LAB_TEST_FAULT/);
  });
});
