// Export containers: the stored ZIP the page downloads (read back, and checked by the system's unzip
// where there is one) and the little-endian float32 encoding.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportError, float32Bytes, float32Values, unzipFiles, zipFiles } from './export-files';

const FILES = [
  { path: 'model.json', bytes: new TextEncoder().encode('{"a": 1}\n') },
  { path: 'group1-shard1of1.bin', bytes: float32Bytes([1.5, -2, 3e-8, Math.PI]) },
];

describe('zipFiles', () => {
  it('round-trips through unzipFiles', () => {
    const back = unzipFiles(zipFiles(FILES));
    expect(back.map((f) => f.path)).toEqual(FILES.map((f) => f.path));
    back.forEach((f, i) => expect(Array.from(f.bytes)).toEqual(Array.from(FILES[i].bytes)));
  });

  const unzip = spawnSync('unzip', ['-v']).status === 0;
  if (!unzip) console.log('No unzip command here: the archive is checked by unzipFiles only.');
  it.skipIf(!unzip)('is a valid archive for unzip -t (CRC and sizes)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-zip-'));
    writeFileSync(join(dir, 'a.zip'), zipFiles(FILES));
    const r = spawnSync('unzip', ['-t', join(dir, 'a.zip')], { encoding: 'utf8' });
    expect(r.stdout).toContain('No errors detected');
  });

  it('refuses what is not one of its archives', () => {
    expect(() => unzipFiles(new Uint8Array([1, 2, 3]))).toThrow(ExportError);
  });
});

describe('float32 files', () => {
  it('are little-endian and read back exactly', () => {
    const bytes = float32Bytes([1]);
    expect(Array.from(bytes)).toEqual([0, 0, 0x80, 0x3f]);
    expect(Array.from(float32Values(float32Bytes([1.5, -2, Math.PI])))).toEqual([1.5, -2, Math.fround(Math.PI)]);
    expect(() => float32Values(new Uint8Array(5))).toThrow(/multiple of 4/);
  });
});
