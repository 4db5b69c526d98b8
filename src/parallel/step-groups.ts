// Every worker's report of a step, gathered until all are in: the coordinators merge a step's reports
// into its metrics only then.

export class StepGroups<T extends { step: number }> {
  private readonly groups = new Map<number, T[]>();

  constructor(private readonly size: number) {}

  /** Adds a report; returns its step's reports once this one completes them, else null. */
  add(report: T): T[] | null {
    const group = this.groups.get(report.step) ?? [];
    group.push(report);
    if (group.length < this.size) {
      this.groups.set(report.step, group);
      return null;
    }
    this.groups.delete(report.step);
    return group;
  }

  /** Drops the partial groups (a restart's workers report those steps again). */
  clear(): void {
    this.groups.clear();
  }
}
