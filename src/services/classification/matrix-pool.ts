/**
 * Reusable buffers for training matrices. A fresh multi-megabyte typed array costs more to fault
 * into memory than to fill (about 40 ms for 14 MB on a small VM); the training thread hands the
 * buffers of each task back when it is done, and the next training takes them from here.
 */
export class MatrixPool {
  private readonly free: ArrayBuffer[] = [];

  /** Keeps at most `capacity` buffers of at most `maxBytes` each. */
  constructor(private readonly capacity = 3, private readonly maxBytes = 512 * 1024 * 1024) {}

  /** A zero-length-checked Float32Array of `length` floats over a pooled buffer when one is big enough (contents undefined). */
  take(length: number): Float32Array {
    const bytes = length * 4;
    let best = -1;
    this.free.forEach((b, i) => {
      if (b.byteLength >= bytes && (best < 0 || b.byteLength < this.free[best]!.byteLength)) best = i;
    });
    if (best < 0) return new Float32Array(length);
    const [buffer] = this.free.splice(best, 1);
    return new Float32Array(buffer!, 0, length);
  }

  /** Returns buffers for reuse (detached ones and those over the size limit are dropped). */
  give(buffers: ArrayBuffer[]): void {
    for (const b of buffers) {
      if (b.byteLength === 0 || b.byteLength > this.maxBytes || this.free.includes(b)) continue;
      this.free.push(b);
      if (this.free.length > this.capacity) this.free.sort((x, y) => y.byteLength - x.byteLength).pop();
    }
  }
}
