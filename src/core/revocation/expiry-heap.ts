/** A binary min-heap of expiry times: what to forget next, found in O(log n). */

/** One scheduled expiry. */
export interface Expiry<T> {
  readonly at: number;
  readonly item: T;
}

/** The entries in order of `at`, earliest first. */
export class ExpiryHeap<T> {
  private readonly entries: Expiry<T>[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Adds `item`, due at `at`. */
  push(at: number, item: T): void {
    const entries = this.entries;
    entries.push({ at, item });
    let i = entries.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (dueAt(entries, parent) <= dueAt(entries, i)) break;
      swap(entries, i, parent);
      i = parent;
    }
  }

  /** Removes and returns every entry due at or before `now`. */
  popDue(now: number): Expiry<T>[] {
    const due: Expiry<T>[] = [];
    for (let top = this.entries[0]; top !== undefined && top.at <= now; top = this.entries[0]) {
      due.push(top);
      this.removeTop();
    }
    return due;
  }

  private removeTop(): void {
    const entries = this.entries;
    const last = entries.pop();
    if (last === undefined || entries.length === 0) return;
    entries[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < entries.length && dueAt(entries, left) < dueAt(entries, least)) least = left;
      if (right < entries.length && dueAt(entries, right) < dueAt(entries, least)) least = right;
      if (least === i) return;
      swap(entries, i, least);
      i = least;
    }
  }
}

function dueAt<T>(entries: Expiry<T>[], i: number): number {
  return (entries[i] as Expiry<T>).at;
}

function swap<T>(entries: Expiry<T>[], i: number, j: number): void {
  const a = entries[i] as Expiry<T>;
  entries[i] = entries[j] as Expiry<T>;
  entries[j] = a;
}
