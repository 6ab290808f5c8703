/**
 * A small indexed binary min-heap keyed by `deadline`. Each item remembers its position, so
 * a settled hold is removed in O(log n) instead of lingering until its deadline.
 */
export interface HeapItem {
  deadline: number;
  /** Position in the heap, or -1 when not in it. Owned by the heap. */
  heapIndex: number;
}

export class DeadlineHeap<T extends HeapItem> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The earliest deadline, or +Infinity when empty. */
  peekDeadline(): number {
    return this.items.length ? this.items[0]!.deadline : Infinity;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  /** Removes `item` if it is in the heap. */
  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.items[i] !== item) return;
    const last = this.items.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.down(i);
    this.up(last.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  private up(i: number): void {
    const a = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.deadline <= a[i]!.deadline) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const a = this.items;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && a[l]!.deadline < a[m]!.deadline) m = l;
      if (r < n && a[r]!.deadline < a[m]!.deadline) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items;
    const x = a[i]!;
    const y = a[j]!;
    a[i] = y;
    y.heapIndex = i;
    a[j] = x;
    x.heapIndex = j;
  }
}
