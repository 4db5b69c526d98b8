// The little-endian float32 encoding every export's weight files use (the ZIP container: export-zip.test.ts).
import { describe, expect, it } from 'vitest';
import { float32Bytes, float32Values } from './export-files';

describe('float32 files', () => {
  it('are little-endian and read back exactly', () => {
    const bytes = float32Bytes([1]);
    expect(Array.from(bytes)).toEqual([0, 0, 0x80, 0x3f]);
    expect(Array.from(float32Values(float32Bytes([1.5, -2, Math.PI])))).toEqual([1.5, -2, Math.fround(Math.PI)]);
    expect(() => float32Values(new Uint8Array(5))).toThrow(/multiple of 4/);
  });
});
