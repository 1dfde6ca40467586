/**
 * A FIFO of async tasks that runs at most `limit` at once: background jobs (clusterings) wait
 * here, PENDING, instead of competing for the same cores.
 */
export class JobQueue {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Tasks started and not yet settled. */
  get running(): number {
    return this.active;
  }

  /** Runs `task` once a slot is free (in call order) and settles with it. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
