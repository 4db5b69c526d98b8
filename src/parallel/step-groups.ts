// Every member's item of a step (or of a star round), gathered until all are in: the coordinators merge a
// step's reports, a round's vectors or a step's states only then.

export class StepGroups<T> {
  private readonly groups = new Map<number, T[]>();

  constructor(private readonly size: number) {}

  /** Adds rank's item of `step`; returns the step's items in rank order once this one completes them, else null. */
  add(step: number, rank: number, item: T): T[] | null {
    const group = this.groups.get(step) ?? [];
    group[rank] = item;
    // filter skips the ranks not in yet.
    if (group.filter(() => true).length < this.size) {
      this.groups.set(step, group);
      return null;
    }
    this.groups.delete(step);
    return group;
  }

  /** Drops the partial groups (a restart's members send those steps again). */
  clear(): void {
    this.groups.clear();
  }
}
