import { describe, expect, it } from 'vitest';
import { JobQueue } from '../../../src/services/jobs/job-queue.js';

describe('job queue', () => {
  it('runs at most `limit` tasks at once, in call order, and survives a failing task', async () => {
    const queue = new JobQueue(2);
    const started: number[] = [];
    let active = 0;
    let peak = 0;
    const task = (i: number, fail = false) => queue.run(async () => {
      started.push(i);
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      if (fail) throw new Error(`task ${i} failed`);
      return i;
    });
    const results = await Promise.allSettled([task(0), task(1, true), task(2), task(3), task(4)]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(queue.running).toBe(0);
  });
});
