// The class code loads on demand: a first visit to the lab needs none of it. The student page, the teacher's
// panel and the join-by-code form are lazy components; a class opens through openClass; and the run
// controller borrows a class's members through classRun, which teacher-class.ts takes over when it opens one.
import { lazy } from 'react';
import type { RunConfig } from '../../core/config';
import type { MemberHost } from '../../parallel/members';

export const StudentApp = lazy(() => import('./StudentApp').then((m) => ({ default: m.StudentApp })));
export const TeacherPanel = lazy(() => import('./TeacherPanel').then((m) => ({ default: m.TeacherPanel })));
export const CodeJoin = lazy(() => import('./CodeJoin').then((m) => ({ default: m.CodeJoin })));

/** Opens a class (or, from a teacher link, takes one over). */
export function openClass(teachLink: string | null = null): Promise<void> {
  return import('./teacher-class').then((m) => m.startClass(teachLink));
}

export interface ClassRun {
  config: RunConfig;
  env: MemberHost;
  heartbeatMs: number;
}

let lender: ((config: RunConfig) => ClassRun | null) | null = null;

export function lendMembers(lend: (config: RunConfig) => ClassRun | null): void {
  lender = lend;
}

/** The run on the class's members, or null with no class open; throws when the class has nobody to train. */
export function classRun(config: RunConfig): ClassRun | null {
  return lender ? lender(config) : null;
}
