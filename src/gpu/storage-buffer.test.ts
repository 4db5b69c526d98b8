// storageBuffer refuses a size WebGPU cannot take (NaN, negative, fractional, past 2^53) naming the buffer,
// before the device answers with a message that names none. No GPU needed: the device is a stand-in.
import { describe, expect, it } from 'vitest';
import { storageBuffer } from './context';

const sizes: number[] = [];
const device = { createBuffer: ({ size }: GPUBufferDescriptor) => (sizes.push(size), {}) } as unknown as GPUDevice;
Object.assign(globalThis, { GPUBufferUsage: globalThis.GPUBufferUsage ?? { STORAGE: 128, COPY_SRC: 4, COPY_DST: 8 } });

describe('storageBuffer', () => {
  it('names the buffer when its size is not a whole number of bytes', () => {
    for (const bytes of [NaN, -4, 2.5, 2 ** 64]) {
      expect(() => storageBuffer(device, 'acts1', bytes)).toThrow(`buffer acts1: size must be a whole number of bytes, 0 or more, got ${bytes}`);
    }
    expect(sizes).toEqual([]);
  });

  it('rounds a good size up to 4 bytes, and 16 at least', () => {
    storageBuffer(device, 'a', 0);
    storageBuffer(device, 'b', 30);
    expect(sizes).toEqual([16, 32]);
  });
});
