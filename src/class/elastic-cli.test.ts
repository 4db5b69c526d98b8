// Elastic membership through the CLI, on Dawn: the CLI teacher (--teach) with three --join members, one of
// which (LAB_TEST_FAULT=nan@6) sends NaN in step 6's all-reduce. The teacher prints the membership change
// and that the run no longer claims to match one device, and finishes with the other two; the member is
// told it was removed and exits 1.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClassServer } from './server';
import { testServer } from './testing';

const TRAIN = ['--import', 'tsx', '--import', './src/cli/register-wgsl.js', 'src/cli/train.ts'];

/** `npm run train -- args` with `env` added, its output gathered, and its exit. */
function cli(args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [...TRAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c) => { out.stdout += c; });
  child.stderr!.on('data', (c) => { out.stderr += c; });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out, exit };
}

let server: ClassServer;
beforeAll(async () => {
  server = await testServer();
});
afterAll(() => server.close());

it('the CLI teacher prints a member\'s removal and finishes with the others; the member is told why', async () => {
  const teacher = cli(['--teach', server.url, '--members', '3', '--set', 'dataset=spiral', '--set', 'layers=8', '--set', 'lr=0.01',
    '--set', 'batch=32', '--set', 'epochs=1', '--set', 'seed=5', '--set', 'droplast=1']);
  let link: string | undefined;
  while (!link) {
    await new Promise((r) => setTimeout(r, 100));
    link = /join: (\S+)/.exec(teacher.out.stderr)?.[1];
  }
  const members = [cli(['--join', link, '--name', 'ada']), cli(['--join', link, '--name', 'bo']),
    cli(['--join', link, '--name', 'mallory'], { LAB_TEST_FAULT: 'nan@6' })];
  expect(await teacher.exit, teacher.out.stderr).toBe(0);
  expect(teacher.out.stdout).toMatch(/^membership after step 5: mallory was removed \(it sent non-finite values \(NaN\) to replica \d in step 6's all-reduce\): 2 replicas train from step 6 on/m);
  expect(teacher.out.stdout).toMatch(/^done: 25 steps/m);
  expect(teacher.out.stdout).toContain('the class changed 1 time during the run: it is not claimed to match one device');
  expect(await members[2].exit).toBe(1);
  expect(members[2].out.stderr).toContain('the class ended: the teacher removed you from the class: it sent non-finite values (NaN)');
  expect(await Promise.all(members.slice(0, 2).map((m) => m.exit))).toEqual([0, 0]);
});
