// The ZIP container of the page's exports and imports: deflated archives that read back and pass the
// system's unzip where there is one; stored ones, a folder zipped again by the user (Info-ZIP, streamed,
// with macOS's __MACOSX copies) read too; other compression methods and non-archives refused by name.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ExportError, float32Bytes } from './export-files';
import { unzipFiles, zipFiles } from './export-zip';

const FILES = [
  { path: 'model.json', bytes: new TextEncoder().encode('{"a": 1}\n') },
  { path: 'group1-shard1of1.bin', bytes: float32Bytes([1.5, -2, 3e-8, Math.PI]) },
];
/** Compressible, like MNIST's pixels: deflate must make it much smaller. */
const ZEROS = { path: 'data.bin', bytes: new Uint8Array(100_000).map((_, i) => (i % 97 === 0 ? 255 : 0)) };

const unzip = spawnSync('unzip', ['-v']).status === 0;
const zip = spawnSync('zip', ['-v']).status === 0;
if (!unzip || !zip) console.log('No unzip or zip command here: the archives are checked by unzipFiles and fflate only.');

const sameFiles = (a: { path: string; bytes: Uint8Array }[], b: { path: string; bytes: Uint8Array }[]) => {
  expect(a.map((f) => f.path).sort()).toEqual(b.map((f) => f.path).sort());
  for (const f of a) expect(Array.from(b.find((g) => g.path === f.path)!.bytes)).toEqual(Array.from(f.bytes));
};

describe('zipFiles', () => {
  it('round-trips through unzipFiles', () => {
    const back = unzipFiles(zipFiles(FILES));
    expect(back.map((f) => f.path)).toEqual(FILES.map((f) => f.path));
    back.forEach((f, i) => expect(Array.from(f.bytes)).toEqual(Array.from(FILES[i].bytes)));
  });

  it.skipIf(!unzip)('is a valid archive for unzip -t (CRC and sizes)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-zip-'));
    writeFileSync(join(dir, 'a.zip'), zipFiles(FILES));
    const r = spawnSync('unzip', ['-t', join(dir, 'a.zip')], { encoding: 'utf8' });
    expect(r.stdout).toContain('No errors detected');
  });

  it('refuses what is not one of its archives', () => {
    expect(() => unzipFiles(new Uint8Array([1, 2, 3]))).toThrow(ExportError);
  });

  it('deflates (method 8), to a fraction of the stored size, and gives the same bytes for the same files', () => {
    const archive = zipFiles([ZEROS]);
    expect(new DataView(archive.buffer).getUint16(8, true)).toBe(8);
    expect(archive.length).toBeLessThan(ZEROS.bytes.length / 10);
    expect(zipFiles([ZEROS])).toEqual(archive);
  });
});

describe('unzipFiles', () => {
  it('reads stored archives too', () => {
    const stored = zipSync({ 'model.json': FILES[0].bytes, 'group1-shard1of1.bin': FILES[1].bytes }, { level: 0 });
    expect(new DataView(stored.buffer).getUint16(8, true)).toBe(0);
    sameFiles(FILES, unzipFiles(stored));
  });

  it.skipIf(!zip)('reads a folder zipped again by the user: Info-ZIP streamed (data descriptors), subfolder kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-rezip-'));
    mkdirSync(join(dir, 'export'));
    for (const f of [...FILES, ZEROS]) writeFileSync(join(dir, 'export', f.path), f.bytes);
    // Into a pipe, zip cannot seek back: sizes and CRCs follow each entry (general purpose flag bit 3).
    const r = spawnSync('sh', ['-c', 'zip -q -r -9 - export | cat > user.zip'], { cwd: dir });
    expect(r.status, String(r.stderr)).toBe(0);
    const archive = readFileSync(join(dir, 'user.zip'));
    const entry = archive.indexOf('export/data.bin', 0, 'latin1') - 30; // its local header
    expect([archive.readUInt32LE(entry), archive.readUInt16LE(entry + 6) & 8, archive.readUInt16LE(entry + 8)]).toEqual([0x04034b50, 8, 8]);
    sameFiles([...FILES, ZEROS].map((f) => ({ path: `export/${f.path}`, bytes: f.bytes })), unzipFiles(archive));
  });

  it('leaves out folders and the __MACOSX copies of macOS', () => {
    const archive = zipSync({ 'export/': new Uint8Array(), 'export/model.json': FILES[0].bytes, '__MACOSX/export/._model.json': new Uint8Array([0, 5, 22, 7]) });
    sameFiles([{ path: 'export/model.json', bytes: FILES[0].bytes }], unzipFiles(archive));
  });

  it('names a compression method it does not read', () => {
    const archive = zipSync({ 'model.json': FILES[0].bytes }, { level: 0 });
    const view = new DataView(archive.buffer);
    const central = archive.length - 22 - (46 + 'model.json'.length);
    view.setUint16(8, 12, true); // bzip2, in the local header
    view.setUint16(central + 10, 12, true); // and in the central directory
    expect(() => unzipFiles(archive)).toThrow('model.json: compressed with ZIP method 12; the lab reads stored and deflated ZIPs');
  });
});
