// The CLI's class flags: --teach with --members, --join with --name, --workers and nothing of its own, and the
// class's run (data parallelism, one replica per member), each misuse refused with a message naming it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config';
import { parseArgs } from './args';
import { classConfig } from './class-run';

const LINK = 'http://10.0.0.5:4180/#join=abc.def';

describe('class flags', () => {
  it('--teach takes the server and the member count; --join the link, a name and the workers', () => {
    const teach = parseArgs(['--teach', 'http://10.0.0.5:4180/', '--members', '3', '--preset', 'xor', '--json']);
    expect(teach.teach).toEqual({ server: 'http://10.0.0.5:4180/', members: 3 });
    expect(teach.join).toBeNull();
    expect(parseArgs(['--join', LINK, '--name', 'gpu-box']).join).toEqual({ link: LINK, name: 'gpu-box', workers: 1 });
    expect(parseArgs(['--join', LINK, '--workers', '3']).join?.workers).toBe(3);
    expect(parseArgs(['--join', LINK]).join?.name.length).toBeGreaterThan(0);
  });

  it('refuses the flags a class run cannot take, naming them', () => {
    expect(() => parseArgs(['--teach', 'http://x/'])).toThrow(/--teach and --members go together/);
    expect(() => parseArgs(['--members', '2'])).toThrow(/--teach and --members go together/);
    expect(() => parseArgs(['--teach', 'http://x/', '--members', '0'])).toThrow('--members needs an integer in [1, 64]');
    expect(() => parseArgs(['--name', 'x'])).toThrow('--name needs --join');
    expect(() => parseArgs(['--workers', '2'])).toThrow('--workers needs --join');
    expect(() => parseArgs(['--join', LINK, '--workers', '5'])).toThrow('--workers needs an integer in [1, 4]');
    expect(() => parseArgs(['--join', LINK, '--set', 'lr=1'])).toThrow(/--join trains the teacher's run: drop the other flags/);
  });

  it('a class trains data-parallel with one replica per member; a resumed run keeps its replica count', () => {
    expect(classConfig(DEFAULT_CONFIG, 3, false).replicas).toBe(3);
    expect(() => classConfig({ ...DEFAULT_CONFIG, mode: 'pipeline' }, 2, false)).toThrow('--teach trains data-parallel: drop mode=pipeline');
    expect(() => classConfig({ ...DEFAULT_CONFIG, replicas: 2 }, 3, true)).toThrow(/the checkpoint's run has 2 replicas, so it needs --members 2/);
  });
});
